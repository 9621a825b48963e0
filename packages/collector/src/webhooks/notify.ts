// Enqueues webhook events into the store's outbox for every webhook of the project that
// subscribed to them. Ingest calls it after its insert; it never slows or breaks ingest.
import { createHash } from 'node:crypto'
import type { Store, WebhookRecord } from '../store/types.ts'
import type { WebhookEvent } from './event.ts'

/** How long a project's subscription list is reused before it is read again. */
export const SUBSCRIPTIONS_CACHE_MS = 5_000

/** Enqueues events for a project's webhooks. */
export interface WebhookNotifier {
  /** Stores a delivery of each event for each subscribed webhook; none when none subscribed. */
  notify(projectId: string, events: WebhookEvent[]): Promise<void>
  /** Forgets the cached subscriptions of a project (its webhooks changed here). */
  forget(projectId: string): void
}

/**
 * A notifier over `store`, caching each project's webhooks for a few seconds, so ingest costs
 * one read per project every few seconds when nobody listens.
 *
 * @example const notifier = createWebhookNotifier(store, { now: Date.now })
 */
export function createWebhookNotifier(
  store: Store,
  options: { now: () => number; cacheMs?: number },
): WebhookNotifier {
  const cacheMs = options.cacheMs ?? SUBSCRIPTIONS_CACHE_MS
  const cache = new Map<string, { at: number; hooks: Promise<WebhookRecord[]> }>()
  const hooksOf = (projectId: string) => {
    const now = options.now()
    const hit = cache.get(projectId)
    if (hit && now - hit.at < cacheMs) return hit.hooks
    const hooks = store.listWebhooks(projectId)
    hooks.catch(() => cache.delete(projectId))
    cache.set(projectId, { at: now, hooks })
    return hooks
  }
  return {
    async notify(projectId, events) {
      if (events.length === 0) return
      await enqueueFor(store, await hooksOf(projectId), projectId, events)
    },
    forget(projectId) {
      cache.delete(projectId)
    },
  }
}

/**
 * Enqueues events straight into the store for the project's webhooks subscribed to them, with
 * no cache (scans and watches are rare). Each event's id is its dedup key: the same id again
 * for the same webhook is one delivery.
 *
 * @example await enqueueForSubscribers(store, projectId, [event])
 */
export async function enqueueForSubscribers(
  store: Store,
  projectId: string,
  events: WebhookEvent[],
): Promise<void> {
  if (events.length === 0) return
  await enqueueFor(store, await store.listWebhooks(projectId), projectId, events)
}

/**
 * One delivery of each event to each of `hooks` subscribed to its type.
 *
 * @example await enqueueFor(store, await store.listWebhooks(projectId), projectId, events)
 */
export async function enqueueFor(
  store: Store,
  hooks: readonly WebhookRecord[],
  projectId: string,
  events: readonly WebhookEvent[],
): Promise<void> {
  const rows = hooks.flatMap((hook) =>
    events
      .filter((event) => hook.events.includes(event.type))
      .map((event) => ({
        webhookId: hook.id,
        projectId,
        id: event.id,
        eventType: event.type,
        payload: event,
        createdAt: Date.parse(event.createdAt),
      })),
  )
  if (rows.length > 0) await store.enqueueDeliveries(rows)
}

/** A stable event id from what makes the event itself: the same facts give the same id. */
export function eventIdOf(prefix: string, facts: unknown): string {
  return `${prefix}_${createHash('sha256').update(JSON.stringify(facts)).digest('hex').slice(0, 32)}`
}

/**
 * Enqueues `user_flagged` for users a scan newly flagged. The event id derives from the user
 * and the evidence, so the same flag recorded again is one delivery.
 *
 * @example await notifyUsersFlagged(store, projectId, [{ userId: 'u-1', reason, evidence }], Date.now())
 */
export async function notifyUsersFlagged(
  store: Store,
  projectId: string,
  flagged: { userId: string; reason: string; evidence: Record<string, number> }[],
  now: number,
): Promise<void> {
  const events: WebhookEvent[] = flagged.map((f) => ({
    id: eventIdOf('uf', [projectId, f.userId, Object.entries(f.evidence).sort()]),
    type: 'user_flagged',
    projectId,
    createdAt: new Date(now).toISOString(),
    data: { userId: f.userId, reason: f.reason, evidence: f.evidence },
  }))
  await enqueueForSubscribers(store, projectId, events)
}
