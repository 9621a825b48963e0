// The JSON event a webhook receives, and what ingest turns into one.
import type { StoredEvent } from '@tightloop/schema'
import type { WebhookEventType } from '../store/webhook-types.ts'

/** The body of a JSON delivery; `id` is the same on every attempt (deduplicate on it). */
export interface WebhookEvent {
  id: string
  type: WebhookEventType
  projectId: string
  /** ISO 8601, when the collector recorded it. */
  createdAt: string
  data: Record<string, unknown>
}

/** A csat at or below this is `low_csat`. */
export const LOW_CSAT_MAX = 2

/**
 * The webhook event a stored feedback event raises (`escalation`, `low_csat`), or null.
 *
 * @example eventFromFeedback('prj_1', storedEscalation, Date.now())?.type // 'escalation'
 */
export function eventFromFeedback(
  projectId: string,
  event: StoredEvent,
  now: number,
): WebhookEvent | null {
  const e = event as StoredEvent & Record<string, unknown>
  const common = {
    requestId: e.requestId,
    sessionId: e.sessionId,
    userId: e.userId,
    ...(typeof e.prompt === 'string' && { prompt: e.prompt }),
    ...(typeof e.response === 'string' && { response: e.response }),
    ...(typeof e.comment === 'string' && { comment: e.comment }),
  }
  const base = { id: e.eventId, projectId, createdAt: new Date(now).toISOString() }
  if (e.signal === 'agent_escalation') {
    return { ...base, type: 'escalation', data: { reason: e.escalationReason, ...common } }
  }
  if (e.signal === 'csat' && typeof e.csat === 'number' && e.csat <= LOW_CSAT_MAX) {
    return { ...base, type: 'low_csat', data: { csat: e.csat, ...common } }
  }
  return null
}
