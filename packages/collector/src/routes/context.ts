// What every route handler needs, built once when the collector is created.
import type { Context } from 'hono'
import type { AdversaryScanner } from '../adversary-scan.ts'
import type { Limiter } from '../limits.ts'
import type { CollectorMetrics } from '../observe/metrics.ts'
import type { ProjectRecord, Store } from '../store/types.ts'
import type { WebhookNotifier } from '../webhooks/notify.ts'

/** Shared state of one collector instance: the store, the clock and the policies. */
export interface CollectorContext {
  store: Store
  now: () => number
  limits: Limiter
  /** Throws 403 when a browser origin is not allowed for the project. */
  checkOrigin: (c: Context, project: ProjectRecord) => void
  /** Records events a browser reported it had to drop, so loss is never silent. */
  onClientDropped: (projectId: string, dropped: number) => void
  /** Counts what ingest stored, found twice and refused, when metrics are on. */
  metrics?: CollectorMetrics | undefined
  /** Runs the adversary rules before every export, so flags are never stale. */
  scanner: AdversaryScanner
  /** Enqueues webhook events (escalations, low scores) for the project's subscribed webhooks. */
  webhooks: WebhookNotifier
  /** Where unexpected errors go that must not fail the request. */
  log: (message: string, err: unknown) => void
}
