// The flags of `tightloop project` and the settings they set, each checked with a readable error.
import { originProblem, type ProjectInput, type ProjectRecord } from '@tightloop/collector'
import { CliError, DATABASE_OPTIONS, type ParsedFlags, wholeNumber } from './command.ts'
import { parseListFlag } from './format.ts'

const MAX_REASON_LENGTH = 64

/** Every flag of `tightloop project`. */
export const PROJECT_OPTIONS = {
  ...DATABASE_OPTIONS,
  name: { type: 'string' },
  origins: { type: 'string' },
  'escalation-reasons': { type: 'string' },
  'ttl-days': { type: 'string' },
  'auto-ban': { type: 'string' },
  'adversary-policy': { type: 'string' },
  'eval-holdout': { type: 'string' },
  'scrub-pii': { type: 'string' },
  'retention-days': { type: 'string' },
  'event-window-days': { type: 'string' },
  'reviewed-only': { type: 'string' },
  'min-reliability': { type: 'string' },
  'review-pending-threshold': { type: 'string' },
  'require-answer-log': { type: 'string' },
  'session-idle-minutes': { type: 'string' },
  'rephrase-threshold': { type: 'string' },
  'derive-implicit': { type: 'string' },
  kind: { type: 'string' },
  grace: { type: 'string' },
  json: { type: 'boolean' },
} as const

export type ProjectValues = ParsedFlags<typeof PROJECT_OPTIONS>['values']

/** The settings `project create` and `project set` were given, checked. */
export function readSettings(values: ProjectValues): Partial<ProjectInput> {
  const settings: Partial<ProjectInput> = {}
  if (values.origins !== undefined) {
    const origins = parseListFlag(values.origins)
    for (const origin of origins) {
      const problem = originProblem(origin)
      if (problem) throw new CliError(`--origins: ${problem}`)
    }
    settings.allowedOrigins = origins
  }
  if (values['escalation-reasons'] !== undefined) {
    const reasons = parseListFlag(values['escalation-reasons'])
    if (reasons.length === 0) throw new CliError('--escalation-reasons needs at least one reason')
    const long = reasons.find((r) => r.length > MAX_REASON_LENGTH)
    if (long) throw new CliError(`escalation reason "${long}" is longer than ${MAX_REASON_LENGTH}`)
    settings.escalationReasons = reasons
  }
  if (values['ttl-days'] !== undefined)
    settings.ttlDays = wholeNumber('--ttl-days', values['ttl-days'], 3650)
  if (values['event-window-days'] !== undefined)
    settings.eventWindowDays = wholeNumber('--event-window-days', values['event-window-days'], 3650)
  if (values['retention-days'] !== undefined)
    settings.retentionDays = retentionDays(values['retention-days'])
  if (values['auto-ban'] !== undefined)
    settings.autoBanAdversaries = bool('--auto-ban', values['auto-ban'])
  if (values['scrub-pii'] !== undefined)
    settings.scrubPii = bool('--scrub-pii', values['scrub-pii'])
  if (values['require-answer-log'] !== undefined)
    settings.requireAnswerLog = bool('--require-answer-log', values['require-answer-log'])
  if (values['reviewed-only'] !== undefined)
    settings.reviewedOnly = bool('--reviewed-only', values['reviewed-only'])
  if (values['min-reliability'] !== undefined) {
    const share = Number(values['min-reliability'])
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(values['min-reliability'])) {
      throw new CliError(
        `--min-reliability must be a number from 0 to 1, not "${values['min-reliability']}"`,
      )
    }
    settings.minReliability = share
  }
  const pending = values['review-pending-threshold']
  if (pending !== undefined)
    settings.reviewPendingThreshold = wholeNumber('--review-pending-threshold', pending, 1_000_000)
  if (values['eval-holdout'] !== undefined)
    settings.evalHoldout = bool('--eval-holdout', values['eval-holdout'])
  const policy = values['adversary-policy']
  if (policy !== undefined) {
    if (policy !== 'quarantine' && policy !== 'include-until-confirmed') {
      throw new CliError(
        `--adversary-policy must be quarantine or include-until-confirmed, not "${policy}"`,
      )
    }
    settings.adversaryPolicy = policy
  }
  Object.assign(settings, implicitSettings(values))
  return settings
}

/** `off` or whole days from 1 to 36500 (a hundred years: anything longer is a typo). */
function retentionDays(value: string): number | null {
  if (value === 'off') return null
  const days = Number(value)
  if (!/^\d+$/.test(value) || days < 1 || days > 36_500) {
    throw new CliError(
      `--retention-days must be off or a whole number from 1 to 36500, not "${value}"`,
    )
  }
  return days
}

function bool(flag: string, value: string): boolean {
  if (value === 'true' || value === 'yes' || value === 'on') return true
  if (value === 'false' || value === 'no' || value === 'off') return false
  throw new CliError(`${flag} must be true or false, not "${value}"`)
}

/** The implicit-signal settings of `project set`. */
function implicitSettings(values: ProjectValues): Partial<ProjectRecord> {
  const out: Partial<ProjectRecord> = {}
  const minutes = values['session-idle-minutes']
  if (minutes !== undefined)
    out.sessionIdleMinutes = wholeNumber('--session-idle-minutes', minutes, 1440)
  const threshold = values['rephrase-threshold']
  if (threshold !== undefined) {
    const x = Number(threshold)
    if (!/^\d+(\.\d+)?$/.test(threshold) || x > 2) {
      throw new CliError(`--rephrase-threshold must be a number from 0 to 2, not "${threshold}"`)
    }
    out.rephraseThreshold = x
  }
  if (values['derive-implicit'] !== undefined)
    out.deriveImplicitSignals = bool('--derive-implicit', values['derive-implicit'])
  return out
}
