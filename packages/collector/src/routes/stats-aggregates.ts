// Incremental aggregates behind GET /v1/stats: the settled past is folded in once, only the
// last minute of traffic is read again per request.
//
// Why: the drift measures cost ~10 µs an answer (text statistics) and reading an event back
// from the store costs more, so streaming 90 days × 10,000 answers per request takes seconds.
// Here each event is read and measured once; a request reads the unsettled tail only.
import {
  type CandidacyVerdict,
  createCandidacyFilter,
  createDriftAccumulator,
  createHashWindow,
  DROP_REASONS,
  type DriftAccumulator,
  type DropReason,
  EXPORT_DROP_REASONS,
  type ExportDropReason,
  eventTimeMs,
  toEpochMs,
  toTrainingRow,
  type VersionChange,
} from '@tightloop/pipeline'
import { isTrainingSignal, SIGNALS, type Signal, type StoredEvent } from '@tightloop/schema'
import type { Store } from '../store/types.ts'

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

/** Rows the dedup window of the candidate counts remembers (as the export's default). */
const DEDUP_WINDOW = 1_000_000
/** A correction text far (≥ 10 edits) from the stub answer, so only the real text verdict counts. */
const STUB_CORRECTION = 'stub correction, judged on the real texts'

/**
 * What the candidacy filter needs of one training-signal event once its texts were judged:
 * the fields of the rules that depend on the clock, the adversary list and the version
 * changes (`stub`), the verdict of the rules that depend on the texts only, and the row hash.
 */
interface CandidateRecord {
  stub: StoredEvent
  time: number
  /** `null` when the texts make a row; otherwise the text rule that fired. */
  textVerdict: DropReason | null
  hashHigh: number
  hashLow: number
}

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

/** Options of one stats computation: the rules the export would apply today. */
export interface CandidacyPolicy {
  now: number
  ttlDays: number
  /** Users the export excludes (confirmed, or flagged with auto-ban). */
  excluded: ReadonlySet<string>
  versionChanges: readonly VersionChange[]
}

/** Counts for one signal, as the export builder reports them. */
export interface SignalCandidateCounts {
  events: number
  rows: number
  dropped: Record<ExportDropReason, number>
}

/** Training-candidate counts over a time window. `events === rows + sum(dropped)`. */
export interface CandidateCounts {
  events: number
  rows: number
  dropped: Record<ExportDropReason, number>
  bySignal: Record<Signal, SignalCandidateCounts>
  /**
   * Rows an export of everything would keep whose trusted time is in the 30 days before
   * `now`, whatever the window (the low-volume rule's input).
   */
  rowsLast30Days: number
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
    const adversaryKey = [...flagged].sort().join('\n')
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
    // Events are never deleted, so fewer read than stored means some arrived with a
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

// The text rules judged once, at the event's own time, with no adversaries or version changes:
// only the rules after the version checks (missing texts, CSAT 3–5, typo fixes) can fire.
function addEvent(drift: DriftAccumulator, candidates: CandidateRecord[], event: StoredEvent) {
  drift.add(event)
  if (!isTrainingSignal(event.signal)) return
  const time = eventTimeMs(event)
  let textVerdict: DropReason | null = null
  let hashHigh = 0
  let hashLow = 0
  if (!Number.isNaN(time)) {
    const verdict = createCandidacyFilter({ now: time })(event)
    if (verdict.candidate) {
      const hash = toTrainingRow(event)!.event_hash
      hashHigh = Number.parseInt(hash.slice(0, 8), 16)
      hashLow = Number.parseInt(hash.slice(8, 16), 16)
    } else {
      textVerdict = verdict.reason
    }
  }
  candidates.push({ stub: stubOf(event), time, textVerdict, hashHigh, hashLow })
}

/** The event with its texts replaced by short ones that pass every text rule. */
function stubOf(event: StoredEvent): StoredEvent {
  const stub = {
    eventId: event.eventId,
    signal: event.signal,
    requestId: event.requestId,
    sessionId: '',
    userId: event.userId,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    prompt: 'p',
    response: 'r',
    ...(event.productVersion !== undefined && { productVersion: event.productVersion }),
    ...(event.signal === 'csat' && { csat: 1 }),
    ...(event.signal === 'explicit_correction' && { correctionText: STUB_CORRECTION }),
    ...(event.signal === 'agent_escalation' && { escalationReason: event.escalationReason }),
    ...(event.signal === 'rephrase' && { rephraseOf: event.rephraseOf }),
  }
  return stub as StoredEvent
}

/**
 * Verdicts of the rules that depend on today's policy (adversary list, version changes, TTL),
 * one byte a record: 0 passes, else 1 + the index in DROP_REASONS.
 */
interface VerdictCache {
  key: string
  ttlCutoff: number
  verdicts: Uint8Array
}

// Those rules run in the export's own filter on each record's stub. While the policy stays
// the same, the only verdicts that can change are those of records the TTL cutoff passed
// since the last request, so a warm request re-judges those and new records only.
function policyVerdicts(
  entry: Settled,
  tail: readonly CandidateRecord[],
  policy: CandidacyPolicy,
): (index: number) => CandidacyVerdict {
  const check = createCandidacyFilter({
    now: policy.now,
    ttlDays: policy.ttlDays,
    adversaries: policy.excluded,
    versionChanges: policy.versionChanges,
  })
  const key = JSON.stringify([
    policy.ttlDays,
    [...policy.excluded].sort(),
    policy.versionChanges
      .map((v) => [v.version, toEpochMs(v.changedAt)] as const)
      .filter(([, at]) => at <= policy.now)
      .sort(),
  ])
  const ttlCutoff = policy.now - policy.ttlDays * 86_400_000
  const records = entry.candidates
  const previous = entry.verdicts
  const reuse = previous !== null && previous.key === key && previous.ttlCutoff <= ttlCutoff
  const verdicts = new Uint8Array(records.length)
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    const crossed = record.time >= (previous?.ttlCutoff ?? 0) && record.time < ttlCutoff
    verdicts[i] =
      reuse && i < previous.verdicts.length && !crossed
        ? previous.verdicts[i]!
        : encode(check(record.stub))
  }
  entry.verdicts = { key, ttlCutoff, verdicts }
  const tailVerdicts = tail.map((record) => encode(check(record.stub)))
  return (index) =>
    decode(index < verdicts.length ? verdicts[index]! : tailVerdicts[index - verdicts.length]!)
}

const KEEP_VERDICT: CandidacyVerdict = { candidate: true }
const DROP_VERDICTS = DROP_REASONS.map((reason): CandidacyVerdict => ({ candidate: false, reason }))
const REASON_CODE = new Map<DropReason, number>(DROP_REASONS.map((reason, i) => [reason, i + 1]))
const encode = (v: CandidacyVerdict) => (v.candidate ? 0 : REASON_CODE.get(v.reason)!)
const decode = (code: number) => (code === 0 ? KEEP_VERDICT : DROP_VERDICTS[code - 1]!)

// The export builder's rules in its order: the policy verdict (rules that run before the text
// rules), then the text verdict, then dedup in receivedAt order. A test checks the result
// equals the export's stats.
function countCandidates(
  entry: Settled,
  tail: readonly CandidateRecord[],
  policy: CandidacyPolicy,
  from: number,
  to: number,
): CandidateCounts {
  const verdictOf = policyVerdicts(entry, tail, policy)
  // Two dedup windows: the export of the window, and the export of everything (for the
  // 30-day count the low-volume rule needs). The verdict itself is computed once.
  const seen = createHashWindow(DEDUP_WINDOW)
  const seenAll = createHashWindow(DEDUP_WINDOW)
  const bySignal = Object.fromEntries(
    SIGNALS.map((s) => [s, { events: 0, rows: 0, dropped: zeroDrops() }]),
  ) as Record<Signal, SignalCandidateCounts>
  const monthAgo = policy.now - 30 * 86_400_000
  let rowsLast30Days = 0
  const settledCount = entry.candidates.length
  const total = settledCount + tail.length
  for (let i = 0; i < total; i++) {
    const record = i < settledCount ? entry.candidates[i]! : tail[i - settledCount]!
    const verdict = verdictOf(i)
    const kept = verdict.candidate && record.textVerdict === null
    if (kept && seenAll.add(record.hashHigh, record.hashLow) && record.time >= monthAgo) {
      rowsLast30Days += 1
    }
    // Events without a readable time are reported whatever the window.
    if (record.time < from || record.time >= to) continue
    const counts = bySignal[record.stub.signal]
    counts.events += 1
    const reason: ExportDropReason | null = !verdict.candidate
      ? verdict.reason
      : (record.textVerdict ??
        (seen.add(record.hashHigh, record.hashLow) ? null : ('duplicate' as const)))
    if (reason) counts.dropped[reason] += 1
    else counts.rows += 1
  }
  const dropped = zeroDrops()
  let events = 0
  let rows = 0
  for (const signal of SIGNALS) {
    const counts = bySignal[signal]
    events += counts.events
    rows += counts.rows
    for (const reason of EXPORT_DROP_REASONS) dropped[reason] += counts.dropped[reason]
  }
  return { events, rows, dropped, bySignal, rowsLast30Days }
}

function zeroDrops(): Record<ExportDropReason, number> {
  return Object.fromEntries(EXPORT_DROP_REASONS.map((r) => [r, 0])) as Record<
    ExportDropReason,
    number
  >
}
