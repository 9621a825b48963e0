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

/** The settled part of one project's statistics. */
interface Settled {
  adversaryKey: string
  until: number
  /** When the stored-event count was last compared with what was read. */
  countCheckedAt: number
  /** The policy verdicts of `candidates` as of the last request (see {@link policyVerdicts}). */
  verdicts: VerdictCache | null
  /** Events folded in. */
  count: number
  drift: DriftAccumulator
  candidates: CandidateRecord[]
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
}

/**
 * One cache per collector instance. `flagged` is every listed adversary (flagged or
 * confirmed): the drift series counts their share of feedback, so a change of that list
 * recomputes the project from scratch. So does a stored-event count above what was read.
 *
 * @example const aggregates = await cache.read(project.id, flaggedUsers, Date.now())
 */
export function createStatsCache(store: Store) {
  const settled = new Map<string, Settled>()
  const queues = new Map<string, Promise<unknown>>()
  /** Events read so far by the running update of each project, and how many are stored. */
  const progress = new Map<string, { read: number; stored: number }>()

  async function update(
    projectId: string,
    flagged: ReadonlySet<string>,
    now: number,
  ): Promise<ProjectAggregates> {
    // An erasure (a user, or retention) removes events the settled part counted: a new mark
    // in the store's erasure log (written by any process) rebuilds the project from scratch.
    const erased = await store.erasureMark(projectId)
    const adversaryKey = `${[...flagged].sort().join('\n')}\n#erasure:${erased}`
    const cached = settled.get(projectId)
    const cold = !cached || cached.adversaryKey !== adversaryKey
    progress.set(projectId, { read: 0, stored: cold ? await store.countEvents(projectId) : 0 })
    try {
      return await updateCounted(projectId, flagged, adversaryKey, now, cached)
    } finally {
      progress.delete(projectId)
    }
  }

  async function updateCounted(
    projectId: string,
    flagged: ReadonlySet<string>,
    adversaryKey: string,
    now: number,
    cached: Settled | undefined,
  ): Promise<ProjectAggregates> {
    const first = await readOnce(projectId, flagged, adversaryKey, now, cached)
    // Events are deleted only by an erasure (see `update`), so fewer read than stored means some arrived with a
    // `receivedAt` older than the watermark (a backfill, a clock far off on another
    // process): start again from every stored event rather than miss them. Counting takes
    // ~90 ms on a million events, so it runs at most every COUNT_CHECK_MS.
    if (now - first.entry.countCheckedAt < COUNT_CHECK_MS) return first.aggregates
    const stored = await store.countEvents(projectId)
    first.entry.countCheckedAt = now
    if (first.entry.count + first.tailEvents >= stored) return first.aggregates
    const again = await readOnce(projectId, flagged, adversaryKey, now, undefined)
    return {
      ...again.aggregates,
      eventsRead: first.aggregates.eventsRead + again.aggregates.eventsRead,
    }
  }

  async function readOnce(
    projectId: string,
    flagged: ReadonlySet<string>,
    adversaryKey: string,
    now: number,
    cached: Settled | undefined,
  ) {
    let entry = cached
    const rebuilt = !entry || entry.adversaryKey !== adversaryKey
    if (!entry || rebuilt) {
      entry = {
        adversaryKey,
        until: 0,
        count: 0,
        drift: createDriftAccumulator({ adversaries: flagged }),
        candidates: [],
        // A fresh entry has just read everything: no need to count before the interval.
        countCheckedAt: now,
        verdicts: null,
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
      countCandidates: (policy, from, to) => countCandidates(settledEntry, tail, policy, from, to),
    }
    return { entry, tailEvents, aggregates }
  }

  return {
    /** How far the running update of a project got; undefined when none runs. */
    progress(projectId: string): { read: number; stored: number } | undefined {
      const p = progress.get(projectId)
      return p && { ...p }
    },
    /** The project's aggregates as of `now`; concurrent reads of one project run in turn. */
    read(projectId: string, flagged: ReadonlySet<string>, now: number) {
      const previous = queues.get(projectId) ?? Promise.resolve()
      const next = previous.catch(() => {}).then(() => update(projectId, flagged, now))
      queues.set(projectId, next)
      return next
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
