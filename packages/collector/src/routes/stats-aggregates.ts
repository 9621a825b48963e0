// Incremental aggregates behind GET /v1/stats: the settled past is folded in once, only the
// last minute of traffic is read again per request.
//
// Why: the drift measures cost ~10 µs an answer (text statistics) and reading an event back
// from the store costs more, so streaming 90 days × 10,000 answers per request takes seconds.
// Here each event is read and measured once; a request reads the unsettled tail only.
import { createDriftAccumulator, type DriftAccumulator } from '@tightloop/pipeline'
import type { StoredEvent } from '@tightloop/schema'
import type { Store } from '../store/types.ts'
import {
  type CandidacyPolicy,
  type CandidateCounts,
  type CandidateRecord,
  candidateRecord,
  countCandidates,
  type VerdictCache,
} from './stats-candidates.ts'
import { createImplicitStats, type DerivedImplicit } from './stats-implicit.ts'
import { decodeSnapshot, encodeSnapshot } from './stats-snapshot.ts'

export type { CandidacyPolicy, CandidateCounts } from './stats-candidates.ts'

/**
 * Events received longer ago than this are settled: folded into the cached aggregates for
 * good. Younger ones are re-read on every request, because a commit on another collector
 * process may still land with a `receivedAt` in this window.
 */
export const SETTLE_MS = 60_000

/**
 * Events folded in between two turns of the event loop. The store's stream yields rows it
 * already holds through microtasks only, so without these turns a cold build (seconds on a
 * big project) would hold up every other request, ingest included, and its own 202 timer.
 */
const EVENTS_PER_TURN = 1_000

/** Lets timers and I/O run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * How often the stored-event count is compared with the events read: an event stored behind
 * the watermark (a backfill) shows in the statistics within this long.
 */
export const COUNT_CHECK_MS = 30_000

/**
 * The settled part is written to the store when it holds this many events more than the last
 * snapshot (and after a build from every event), at most every {@link SNAPSHOT_EVERY_MS}.
 */
export const SNAPSHOT_MIN_EVENTS = 10_000
export const SNAPSHOT_EVERY_MS = 10 * 60_000

/** The settled part of one project's statistics, built without any adversary list. */
interface Settled {
  /** The erasure mark it was built under. */
  erasureMark: number
  until: number
  /** When the stored-event count was last compared with what was read. */
  countCheckedAt: number
  /** The policy verdicts of `candidates` as of the last request (see {@link policyVerdicts}). */
  verdicts: VerdictCache | null
  /** Events folded in. */
  count: number
  drift: DriftAccumulator
  candidates: CandidateRecord[]
  /** Events in the last snapshot written or read, and when it was written. */
  snapshotEvents: number
  snapshotAt: number
}

/** A project's aggregates, settled part plus a fresh read of the tail. */
export interface ProjectAggregates {
  drift: DriftAccumulator
  /** Counts the candidate rules over events whose trusted time is in `[from, to)`. */
  countCandidates(policy: CandidacyPolicy, from: number, to: number): CandidateCounts
  /** Events received up to here are cached; younger ones were read for this request. */
  settledUntil: number
  /** Events read from the store for this request (the unsettled tail, or all when cold). */
  eventsRead: number
  /** True when the cache was (re)built from every stored event for this request. */
  rebuilt: boolean
  /** True when the settled part was loaded from the store's snapshot for this request. */
  restored: boolean
}

/** Options of {@link createStatsCache}. */
export interface StatsCacheOptions {
  /** Write and read snapshots of the settled part in the store (default true). */
  snapshots?: boolean
  /** Where a failed snapshot write is reported (it costs the next cold start a full read). */
  log?: (message: string, err: unknown) => void
  /** Events more than the last snapshot that make a new one; default {@link SNAPSHOT_MIN_EVENTS}. */
  snapshotMinEvents?: number
}

/**
 * One cache per collector instance. The settled part counts every user alike; each read
 * applies the current adversary list (`flagged`: flagged or confirmed) to a copy, so a new
 * flag costs nothing to apply. An erasure, or a stored-event count above what was read,
 * recomputes the project from scratch. A cold start loads the store's snapshot when it is
 * still valid and reads only what arrived after it.
 *
 * @example const aggregates = await cache.read(project.id, flaggedUsers, Date.now())
 */
export function createStatsCache(store: Store, options: StatsCacheOptions = {}) {
  const useSnapshots = options.snapshots ?? true
  const snapshotMinEvents = options.snapshotMinEvents ?? SNAPSHOT_MIN_EVENTS
  const log = options.log ?? ((message, err) => console.error(message, err))
  const settled = new Map<string, Settled>()
  const queues = new Map<string, Promise<unknown>>()
  /** Events read so far by the running update of each project, and how many are stored. */
  const progress = new Map<string, { read: number; stored: number }>()
  /** The background snapshot write of each project: true once written, false when it failed. */
  const writing = new Map<string, Promise<boolean>>()

  async function update(
    projectId: string,
    flagged: ReadonlySet<string>,
    now: number,
    derived: DerivedImplicit | undefined,
  ): Promise<ProjectAggregates> {
    // An erasure (a user, or retention) removes events the settled part counted: a new mark
    // in the store's erasure log (written by any process) rebuilds the project from scratch.
    const erasureMark = await store.erasureMark(projectId)
    let cached = settled.get(projectId)
    let restored = false
    if (!cached || cached.erasureMark !== erasureMark) {
      cached = useSnapshots ? await restore(projectId, erasureMark) : undefined
      restored = cached !== undefined
    }
    progress.set(projectId, { read: 0, stored: cached ? 0 : await store.countEvents(projectId) })
    try {
      const read = await updateCounted(projectId, erasureMark, now, cached)
      // Derived signals join the drift series and the candidate counts.
      const drift = derived ? read.aggregates.drift.plus(derived.drift) : read.aggregates.drift
      const sets = derived ? [read.entry, derived.settled] : [read.entry]
      const tail = derived ? [...read.tail, ...derived.tail] : read.tail
      const aggregates: ProjectAggregates = {
        ...read.aggregates,
        drift: drift.withAdversaries(flagged),
        restored: restored && !read.aggregates.rebuilt,
        countCandidates: (policy, from, to) => countCandidates(sets, tail, policy, from, to),
      }
      if (useSnapshots) maybeSnapshot(projectId, read.entry, now, read.aggregates.rebuilt)
      return aggregates
    } finally {
      progress.delete(projectId)
    }
  }

  async function restore(projectId: string, erasureMark: number): Promise<Settled | undefined> {
    const parts = await decodeSnapshot(await store.readStatsSnapshot(projectId), erasureMark)
    if (!parts) return undefined
    const entry: Settled = {
      ...parts,
      erasureMark,
      // Checked against the store's count on this very read: events stored behind the
      // snapshot's watermark (a seed, a backfill) make it a full rebuild.
      countCheckedAt: Number.NEGATIVE_INFINITY,
      verdicts: null,
      snapshotEvents: parts.count,
      snapshotAt: Number.NEGATIVE_INFINITY,
    }
    settled.set(projectId, entry)
    return entry
  }

  // Written in the background, one at a time per project: serialized in slices between turns
  // of the event loop and compressed off it (see stats-snapshot.ts).
  function maybeSnapshot(projectId: string, entry: Settled, now: number, rebuilt: boolean) {
    const grown = entry.count - entry.snapshotEvents
    const due = rebuilt
      ? entry.count >= snapshotMinEvents
      : grown >= snapshotMinEvents && now - entry.snapshotAt >= SNAPSHOT_EVERY_MS
    if (!due || writing.has(projectId)) return
    entry.snapshotEvents = entry.count
    entry.snapshotAt = now
    const write = writeSnapshot(projectId, entry, now)
      .then(() => true)
      .catch((err: unknown) => {
        log('tightloop: could not store the stats snapshot', err)
        return false
      })
      .finally(() => writing.delete(projectId))
    writing.set(projectId, write)
  }

  async function writeSnapshot(projectId: string, entry: Settled, now: number) {
    await store.writeStatsSnapshot(projectId, await encodeSnapshot(entry, entry.erasureMark, now))
  }

  async function updateCounted(
    projectId: string,
    erasureMark: number,
    now: number,
    cached: Settled | undefined,
  ) {
    const first = await readOnce(projectId, erasureMark, now, cached)
    // Events are deleted only by an erasure (see `update`), so fewer read than stored means some arrived with a
    // `receivedAt` older than the watermark (a backfill, a clock far off on another
    // process): start again from every stored event rather than miss them. Counting takes
    // ~90 ms on a million events, so it runs at most every COUNT_CHECK_MS.
    if (now - first.entry.countCheckedAt < COUNT_CHECK_MS) return first
    const stored = await store.countEvents(projectId)
    first.entry.countCheckedAt = now
    if (first.entry.count + first.tailEvents >= stored) return first
    const counter = progress.get(projectId)
    if (counter) counter.stored = stored
    const again = await readOnce(projectId, erasureMark, now, undefined)
    return {
      ...again,
      aggregates: {
        ...again.aggregates,
        eventsRead: first.aggregates.eventsRead + again.aggregates.eventsRead,
      },
    }
  }

  async function readOnce(
    projectId: string,
    erasureMark: number,
    now: number,
    cached: Settled | undefined,
  ) {
    let entry = cached
    const rebuilt = !entry
    if (!entry) {
      entry = {
        erasureMark,
        until: 0,
        count: 0,
        drift: createDriftAccumulator({ byUser: true }),
        candidates: [],
        // A fresh entry has just read everything: no need to count before the interval.
        countCheckedAt: now,
        verdicts: null,
        snapshotEvents: 0,
        snapshotAt: Number.NEGATIVE_INFINITY,
      }
      settled.set(projectId, entry)
    }
    let eventsRead = 0
    const counter = progress.get(projectId) ?? { read: 0, stored: 0 }
    const settleTo = now - SETTLE_MS
    if (settleTo > entry.until) {
      for await (const event of store.streamEvents(projectId, {
        since: entry.until,
        until: settleTo,
      })) {
        eventsRead += 1
        counter.read += 1
        entry.count += 1
        addEvent(entry.drift, entry.candidates, event)
        if (eventsRead % EVENTS_PER_TURN === 0) await nextTurn()
      }
      entry.until = settleTo
    }
    const drift = entry.drift.fork()
    const tail: CandidateRecord[] = []
    let tailEvents = 0
    for await (const event of store.streamEvents(projectId, { since: entry.until })) {
      eventsRead += 1
      tailEvents += 1
      addEvent(drift, tail, event)
      if (eventsRead % EVENTS_PER_TURN === 0) await nextTurn()
    }
    const settledEntry = entry
    const aggregates: ProjectAggregates = {
      drift,
      settledUntil: entry.until,
      eventsRead,
      rebuilt,
      restored: false,
      countCandidates: (policy, from, to) =>
        countCandidates([settledEntry], tail, policy, from, to),
    }
    return { entry, tailEvents, tail, aggregates }
  }

  /**
   * The project's aggregates as of `now`, with the candidate records of the signals derived
   * for it (stats-implicit.ts) taken in; concurrent reads of one project run in turn.
   */
  function read(
    projectId: string,
    flagged: ReadonlySet<string>,
    now: number,
    derived?: DerivedImplicit,
  ) {
    const previous = queues.get(projectId) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(() => update(projectId, flagged, now, derived))
    queues.set(projectId, next)
    return next
  }

  return {
    read,
    /** The signals derived for each project (stats-implicit.ts), kept up to date. */
    implicit: createImplicitStats(store),
    /** How far the running update of a project got; undefined when none runs. */
    progress(projectId: string): { read: number; stored: number } | undefined {
      const p = progress.get(projectId)
      return p && { ...p }
    },
    /** Resolves when the snapshot writes under way are done (before the store closes). */
    async settle(): Promise<void> {
      await Promise.all(writing.values())
    },
    /**
     * Brings the project's settled part up to date and has it in the store when this resolves
     * (`tightloop seed` does, when it is done). The settled part does not depend on the
     * adversary list, so none is needed.
     */
    async saveSnapshot(projectId: string, now: number): Promise<void> {
      await read(projectId, new Set(), now)
      // A build from every event is being written already; written again only if that failed.
      if (await writing.get(projectId)) return
      const entry = settled.get(projectId)!
      entry.snapshotEvents = entry.count
      entry.snapshotAt = now
      await writeSnapshot(projectId, entry, now)
    },
  }
}

/** A stats cache. */
export type StatsCache = ReturnType<typeof createStatsCache>

function addEvent(drift: DriftAccumulator, candidates: CandidateRecord[], event: StoredEvent) {
  drift.add(event)
  const record = candidateRecord(event)
  if (record) candidates.push(record)
}
