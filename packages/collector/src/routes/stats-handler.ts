// The GET /v1/stats handler: the report of stats.ts, built in the background when cold (202
// with the progress), without waiting long for a project's first adversary scan or first
// derivation of implicit signals.
import type { Context } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { readTimeRange } from '../time-range.ts'
import type { CollectorContext } from './context.ts'
import {
  assemble,
  COLD_WAIT_MS,
  dayWindow,
  flaggedUsers,
  type ImplicitSignalsState,
  type StatsReport,
} from './stats.ts'
import { createStatsCache, type StatsCache } from './stats-aggregates.ts'

/**
 * Creates the `/v1/stats` handler with its own incremental cache (one per collector).
 *
 * @example app.get('/v1/stats', secret, createStatsHandler(ctx))
 */
export function createStatsHandler(
  ctx: CollectorContext,
  options: { coldWaitMs?: number; warm?: boolean; cache?: StatsCache } = {},
) {
  const cache = options.cache ?? createStatsCache(ctx.store)
  const coldWaitMs = options.coldWaitMs ?? COLD_WAIT_MS
  /** A background build's failure, answered to the next request instead of being lost. */
  const failures = new Map<string, unknown>()
  if (options.warm) {
    // Build every project's aggregates once at start, one project after another, so the first
    // dashboard visit after a restart does not wait for a full read (the build yields to ingest).
    void (async () => {
      for (const project of await ctx.store.listProjects()) {
        await cache
          .read(project.id, await flaggedUsers(ctx.store, project.id), ctx.now())
          .then(() => cache.implicit.read(project, ctx.now()))
          .catch((err: unknown) => failures.set(project.id, err))
      }
    })().catch(() => {})
  }
  return async (c: Context<CollectorEnv>) => {
    const started = performance.now()
    const now = ctx.now()
    const window = dayWindow(readTimeRange(c), now)
    const { project } = c.get('caller')
    const failure = failures.get(project.id)
    if (failure !== undefined) {
      failures.delete(project.id)
      throw failure
    }
    // Scan first, as an export does: the candidate counts are the export's. Except that the
    // scanner's first read of a project (every stored event: a minute on a million) is waited
    // for only FIRST_SCAN_WAIT_MS: then the flags stored so far are used, and the aggregates,
    // which apply the adversary list per request, take in what it flags on a later request.
    const firstScan = ctx.scanner.hasScanned ? !ctx.scanner.hasScanned(project.id) : false
    const scanning = ctx.scanner.scan(project)
    let adversaryScan: StatsReport['meta']['adversaryScan'] = 'current'
    scanning.catch((err: unknown) => {
      if (adversaryScan === 'running') failures.set(project.id, err)
    })
    // The derived signals likewise, except that their first derivation since the collector
    // started (every stored event) begins only once the aggregates are read, so it does not
    // slow a cold start, and is waited for FIRST_SCAN_WAIT_MS: until it is done the report
    // counts none and says so.
    const firstDerivation = !cache.implicit.hasDerived(project.id)
    let implicitSignals: ImplicitSignalsState = project.deriveImplicitSignals ? 'derived' : 'off'
    const derive = () => {
      const deriving = cache.implicit.read(project, now)
      deriving.catch((err: unknown) => {
        if (implicitSignals === 'running') failures.set(project.id, err)
      })
      return deriving
    }
    const flagging = (firstScan ? withinOr(scanning, FIRST_SCAN_WAIT_MS) : scanning).then(
      (scanned) => {
        if (scanned === TIMED_OUT) adversaryScan = 'running'
        return flaggedUsers(ctx.store, project.id)
      },
    )
    const reading = firstDerivation
      ? flagging.then(async (flagged) => {
          const aggregates = await cache.read(project.id, flagged, now)
          // Within what is left of the cold wait: the scan's wait may have used most of it.
          const left = started + coldWaitMs - DERIVATION_MARGIN_MS - performance.now()
          const derived = await withinOr(derive(), Math.max(0, Math.min(FIRST_SCAN_WAIT_MS, left)))
          if (derived === TIMED_OUT) implicitSignals = 'running'
          if (derived === TIMED_OUT || !derived) return aggregates
          // Read again with them (the tail only); the meta tells of both reads.
          const again = await cache.read(project.id, flagged, now, derived)
          const { rebuilt, restored } = aggregates
          return {
            ...again,
            rebuilt,
            restored,
            eventsRead: aggregates.eventsRead + again.eventsRead,
          }
        })
      : Promise.all([flagging, derive()]).then(([flagged, derived]) =>
          cache.read(project.id, flagged, now, derived),
        )
    let waited = await withinOr(reading, coldWaitMs)
    // Past the cold wait with no event being read (no build, no scan under way: the report is
    // only late, e.g. behind a first derivation that holds the process), a 202 would tell of a
    // read that is not happening: wait on while none starts, up to LATE_WAIT_MS more.
    const lateUntil = performance.now() + LATE_WAIT_MS
    const reads = () =>
      cache.progress(project.id) !== undefined || ctx.scanner.progress?.(project.id) !== undefined
    while (waited === TIMED_OUT && !reads() && performance.now() < lateUntil) {
      waited = await withinOr(reading, LATE_POLL_MS)
    }
    c.header('Cache-Control', 'no-store')
    if (waited === TIMED_OUT) {
      reading.catch((err: unknown) => failures.set(project.id, err))
      const built = cache.progress(project.id)
      const scanned = ctx.scanner.progress?.(project.id)
      // The adversary scan reads every event first, then the build does.
      const building = built
        ? { eventsRead: built.read, eventsStored: built.stored, phase: 'build' }
        : {
            eventsRead: scanned ?? 0,
            eventsStored: await ctx.store.countEvents(project.id),
            phase: 'scan',
          }
      c.header('Retry-After', '1')
      return c.json({ building }, 202)
    }
    const state = { adversaryScan, implicitSignals }
    return c.json(await assemble(ctx.store, project, now, window, waited, started, state))
  }
}

/** How long a request waits for the scanner's first read of a project (see the handler). */
export const FIRST_SCAN_WAIT_MS = 400
/** How much longer a late report is waited for when no event is being read (see the handler). */
const LATE_WAIT_MS = 10_000
const LATE_POLL_MS = 100
/** Time kept for assembling the report when the first derivation is waited for. */
const DERIVATION_MARGIN_MS = 150
const TIMED_OUT = Symbol('timed out')

/** The promise's value, or TIMED_OUT when it takes longer than `ms`. */
async function withinOr<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
