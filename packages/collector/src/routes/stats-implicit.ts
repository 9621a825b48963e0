// The implicit signals of GET /v1/stats: the abandonments and rephrases an export would derive
// (pipeline implicit-signals.ts, under the project's current settings), derived once from the
// stored timeline and kept up to date, so the statistics count what the export trains on.
import {
  createDriftAccumulator,
  createImplicitDeriver,
  type DriftAccumulator,
  type ImplicitDeriver,
} from '@tightloop/pipeline'
import type { StoredEvent } from '@tightloop/schema'
import type { ProjectRecord, Store } from '../store/types.ts'
import { loadPromptIdf } from './export-implicit.ts'
import { type CandidateRecord, type CandidateSet, candidateRecord } from './stats-candidates.ts'

/** Events received longer ago than this are settled (as in stats-aggregates.ts). */
const SETTLE_MS = 60_000
/** Events read between two turns of the event loop. */
const EVENTS_PER_TURN = 1_000
/** How often the stored-event count is compared with the events read (a backfill). */
const COUNT_CHECK_MS = 30_000

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** One project's derivation over its settled events. */
interface Derivation {
  projectId: string
  /** The settings it runs under; another value starts it again. */
  key: string
  erasureMark: number
  until: number
  /** Events read into it, and when that was last compared with the store's count. */
  count: number
  countCheckedAt: number
  deriver: ImplicitDeriver
  /** What it derived: the drift sums (per user too) and the candidate records. */
  drift: DriftAccumulator
  settled: CandidateSet
}

/** The derived signals as of a request: the settled part and the unsettled tail together. */
export interface DerivedImplicit {
  /** Drift sums of every derived event (a copy: add to it freely). */
  drift: DriftAccumulator
  /** Candidate records of the settled part, with their cached verdicts. */
  settled: CandidateSet
  /** Candidate records derived from the unsettled tail, for this request only. */
  tail: CandidateRecord[]
}

/**
 * One per collector. A project's first read derives from every stored event (the prompt IDF
 * frozen as of then); later reads fold in the newly settled events and derive the unsettled
 * tail on a fork. A change of `sessionIdleMinutes` or `rephraseThreshold`, an erasure or a
 * backfill starts the project again. Nothing for a project with `deriveImplicitSignals` off.
 *
 * @example const records = await implicit.read(project, Date.now())
 */
export function createImplicitStats(store: Store) {
  const derivations = new Map<string, Derivation>()
  const queues = new Map<string, Promise<unknown>>()

  async function update(project: ProjectRecord, now: number) {
    if (!project.deriveImplicitSignals) {
      derivations.delete(project.id)
      return undefined
    }
    const key = JSON.stringify([project.sessionIdleMinutes, project.rephraseThreshold])
    const erasureMark = await store.erasureMark(project.id)
    let state = derivations.get(project.id)
    if (!state || state.key !== key || state.erasureMark !== erasureMark) {
      state = await start(project, key, erasureMark, now)
    }
    const first = await derive(state, now)
    // Fewer events read than stored: some arrived with a `receivedAt` behind the cursor (a
    // backfill); derive again from every event rather than miss them (as the stats cache does).
    if (now - state.countCheckedAt < COUNT_CHECK_MS) return first.derived
    state.countCheckedAt = now
    if (state.count + first.tailEvents >= (await store.countEvents(project.id)))
      return first.derived
    return (await derive(await start(project, key, erasureMark, now), now)).derived
  }

  async function derive(state: Derivation, now: number) {
    const settleTo = now - SETTLE_MS
    let read = 0
    if (settleTo > state.until) {
      for await (const event of store.streamEvents(state.projectId, {
        since: state.until,
        until: settleTo,
      })) {
        state.count += 1
        keep(state.deriver.push(event), state.drift, state.settled.candidates)
        if (++read % EVENTS_PER_TURN === 0) await nextTurn()
      }
      state.until = settleTo
    }
    const derived: DerivedImplicit = { drift: state.drift.fork(), settled: state.settled, tail: [] }
    const tail = state.deriver.fork(now)
    let tailEvents = 0
    for await (const event of store.streamEvents(state.projectId, { since: state.until })) {
      tailEvents += 1
      keep(tail.push(event), derived.drift, derived.tail)
      if (++read % EVENTS_PER_TURN === 0) await nextTurn()
    }
    keep(tail.end(), derived.drift, derived.tail)
    return { derived, tailEvents }
  }

  async function start(project: ProjectRecord, key: string, erasureMark: number, now: number) {
    const state: Derivation = {
      projectId: project.id,
      key,
      erasureMark,
      until: 0,
      count: 0,
      countCheckedAt: now,
      deriver: createImplicitDeriver({
        now,
        idf: await loadPromptIdf(store, project.id, now),
        sessionIdleMs: project.sessionIdleMinutes * 60_000,
        rephraseThreshold: project.rephraseThreshold,
      }),
      drift: createDriftAccumulator({ byUser: true }),
      settled: { candidates: [], verdicts: null },
    }
    derivations.set(project.id, state)
    return state
  }

  return {
    /**
     * The signals derived for the project as of `now`, or undefined when it does not derive
     * them; reads of one project run in turn.
     */
    read(project: ProjectRecord, now: number): Promise<DerivedImplicit | undefined> {
      const previous = queues.get(project.id) ?? Promise.resolve()
      const next = previous.catch(() => {}).then(() => update(project, now))
      queues.set(project.id, next)
      return next
    },
    /** True once a read has derived the project's signals from every stored event. */
    hasDerived: (projectId: string) => (derivations.get(projectId)?.until ?? 0) > 0,
  }
}

/** Counts each derived event in the drift and keeps its candidate record (texts left out). */
function keep(
  derived: readonly StoredEvent[],
  drift: DriftAccumulator,
  records: CandidateRecord[],
) {
  for (const event of derived) {
    const record = candidateRecord(event)
    if (!record) continue
    drift.add(record.stub)
    records.push(record)
  }
}

/** The derived signals of the stats. */
export type ImplicitStats = ReturnType<typeof createImplicitStats>
