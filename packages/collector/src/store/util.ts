// Small helpers shared by the store engines.

import { randomBytes } from 'node:crypto'
import { DEFAULT_ESCALATION_REASONS } from '@tightloop/schema'
import { settingsDefaults } from './project-settings.ts'

/** Days a feedback event stays fresh enough to train on, unless a project says otherwise. */
export const DEFAULT_TTL_DAYS = 45

/** Settings a new project starts with. */
export function projectDefaults() {
  return {
    allowedOrigins: [] as string[],
    escalationReasons: [...DEFAULT_ESCALATION_REASONS] as string[],
    ttlDays: DEFAULT_TTL_DAYS,
    scrubPii: false,
    autoBanAdversaries: false,
    ...settingsDefaults(),
  }
}

/** A random id with a readable prefix, e.g. `prj_3kTq…`. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`
}

/** An adversary entry's evidence as JSON text, or null to keep what is stored. */
export function evidenceText(entry: { evidence?: Record<string, number> }): string | null {
  return entry.evidence === undefined ? null : JSON.stringify(entry.evidence)
}
