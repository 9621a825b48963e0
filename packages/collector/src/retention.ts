// Retention: raw events older than a project's `retentionDays` are deleted, on a schedule while
// the collector runs, the same way an erasure deletes (securely on SQLite).
import type { ProjectRecord, RetentionResult, Store } from './store/types.ts'

const DAY_MS = 86_400_000
/** How often the server applies every project's retention: hourly keeps "N days" within an hour. */
export const RETENTION_EVERY_MS = 3_600_000

/** One project's retention run: skipped (`off`) when the project keeps events forever. */
export type RetentionOutcome =
  | ({ projectId: string } & RetentionResult)
  | { projectId: string; off: true }

/**
 * Deletes the project's events received more than `retentionDays` before `now`.
 *
 * @example await applyRetention(store, project, Date.now())
 */
export async function applyRetention(
  store: Store,
  project: ProjectRecord,
  now: number,
): Promise<RetentionOutcome> {
  if (project.retentionDays === null) return { projectId: project.id, off: true }
  const before = now - project.retentionDays * DAY_MS
  return { projectId: project.id, ...(await store.deleteEventsBefore(project.id, before, now)) }
}

/**
 * Applies every project's retention now, then every `everyMs`, until `stop()`; a failure is
 * logged and the next round tries again. The timer never keeps the process alive.
 *
 * @example const retention = startRetention(store, { log }); …; await retention.stop()
 */
export function startRetention(
  store: Store,
  options: {
    everyMs?: number
    now?: () => number
    log?: (message: string, err?: unknown) => void
  } = {},
) {
  const now = options.now ?? Date.now
  const log = options.log ?? ((message, err) => console.error(message, err ?? ''))
  let running: Promise<void> = Promise.resolve()
  const round = async () => {
    try {
      for (const project of await store.listProjects()) {
        const outcome = await applyRetention(store, project, now())
        if ('events' in outcome && outcome.events > 0) {
          log(
            `tightloop: retention deleted ${outcome.events} events of project ${project.id} received before ${outcome.before}`,
          )
        }
      }
    } catch (err) {
      log('tightloop: retention run failed', err)
    }
  }
  running = round()
  const timer = setInterval(() => {
    running = running.then(round)
  }, options.everyMs ?? RETENTION_EVERY_MS)
  timer.unref()
  return {
    /** Stops the schedule and waits for a round in progress. */
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
