// The webhook events no request raises: `alert` (a drift or quality alert fires on the report's
// latest day) and `review_pending` (the review queue holds at least the project's threshold).
// A schedule checks each project; only projects with a webhook subscribed to them pay for it.
import type { DriftAlert } from '@tightloop/pipeline'
import type { AdversaryScanner } from '../adversary-scan.ts'
import { everyProject } from '../every-project.ts'
import { listReview } from '../routes/review.ts'
import { computeStatsReport, type StatsReport } from '../routes/stats.ts'
import type { StatsCache } from '../routes/stats-aggregates.ts'
import type { ProjectRecord, Store } from '../store/types.ts'
import type { WebhookEvent } from './event.ts'
import { enqueueFor, eventIdOf } from './notify.ts'

/** How often the server checks every project for alerts and a long review queue. */
export const DEFAULT_WATCH_EVERY_MS = 5 * 60_000

/** What a check needs besides the store. */
export interface WatchSources {
  /** The project's stats report now (the server shares the stats route's warm aggregates). */
  report: (project: ProjectRecord, now: number) => Promise<Pick<StatsReport, 'currentAlerts'>>
  /** Items waiting for review: corrections not yet decided and flagged users. */
  pending: (project: ProjectRecord) => Promise<{ corrections: number; users: number }>
}

/**
 * The collector's own sources: the stats report over `cache` (pass the stats route's, so the
 * aggregates are built once) after a scan, and the review queue's pending totals.
 *
 * @example scheduleWatch(store, collectorWatchSources(store, { cache, scanner }))
 */
export function collectorWatchSources(
  store: Store,
  options: { cache: StatsCache; scanner: AdversaryScanner },
): WatchSources {
  return {
    report: (project, now) =>
      computeStatsReport({ store, project, now, cache: options.cache, scanner: options.scanner }),
    pending: async (project) => {
      const [corrections, users] = await Promise.all([
        listReview(store, project, { kind: 'corrections', status: 'pending', limit: 1 }),
        listReview(store, project, { kind: 'users', status: 'pending', limit: 1 }),
      ])
      return { corrections: corrections.total, users: users.total }
    },
  }
}

/** What one check of a project enqueued. */
export interface WatchResult {
  alerts: number
  reviewPending: boolean
}

/**
 * Checks one project and enqueues what fires. An alert's id is its rule, metric and day, and
 * `review_pending`'s is the UTC day: checking again the same day enqueues nothing new.
 *
 * @example await watchProject(store, project, sources, Date.now())
 */
export async function watchProject(
  store: Store,
  project: ProjectRecord,
  sources: WatchSources,
  now: number,
): Promise<WatchResult> {
  const hooks = await store.listWebhooks(project.id)
  const wanted = new Set(hooks.flatMap((h) => h.events))
  const events: WebhookEvent[] = []
  const createdAt = new Date(now).toISOString()
  if (wanted.has('alert')) {
    for (const alert of (await sources.report(project, now)).currentAlerts) {
      events.push(alertEvent(project.id, alert, createdAt))
    }
  }
  const alerts = events.length
  if (wanted.has('review_pending')) {
    const { corrections, users } = await sources.pending(project)
    const waiting = corrections + users
    const threshold = project.reviewPendingThreshold
    if (waiting >= threshold) {
      const day = createdAt.slice(0, 10)
      events.push({
        id: eventIdOf('rp', [project.id, day]),
        type: 'review_pending',
        projectId: project.id,
        createdAt,
        data: {
          pending: waiting,
          corrections,
          users,
          threshold,
          message: `${waiting} items wait for review (${corrections} corrections, ${users} flagged users; threshold ${threshold})`,
        },
      })
    }
  }
  await enqueueFor(store, hooks, project.id, events)
  return { alerts, reviewPending: events.length > alerts }
}

function alertEvent(projectId: string, alert: DriftAlert, createdAt: string): WebhookEvent {
  return {
    id: eventIdOf('al', [projectId, alert.rule, alert.metric ?? null, alert.day]),
    type: 'alert',
    projectId,
    createdAt,
    data: {
      rule: alert.rule,
      ...(alert.metric && { metric: alert.metric }),
      day: alert.day,
      message: alert.message,
      evidence: alert.evidence,
    },
  }
}

/**
 * Checks every project every `everyMs` until stopped (see {@link everyProject}).
 *
 * @example const stop = scheduleWatch(store, sources, { everyMs: DEFAULT_WATCH_EVERY_MS })
 */
export function scheduleWatch(
  store: Store,
  sources: WatchSources,
  options: {
    everyMs?: number
    now?: () => number
    log?: (message: string, err: unknown) => void
  } = {},
): () => void {
  const now = options.now ?? Date.now
  return everyProject(store, (project) => watchProject(store, project, sources, now()), {
    everyMs: options.everyMs ?? DEFAULT_WATCH_EVERY_MS,
    name: 'webhook watch',
    ...(options.log && { log: options.log }),
  })
}
