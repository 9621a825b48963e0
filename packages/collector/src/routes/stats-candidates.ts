// Training-candidate counts of the stats report: what an export would keep today, per signal
// and drop reason, from compact records of the training-signal events.
import {
  applyReview,
  type CandidacyVerdict,
  createCandidacyFilter,
  createHashWindow,
  DROP_REASONS,
  type DropReason,
  EXPORT_DROP_REASONS,
  type ExportDropReason,
  type ExportStats,
  eventTimeMs,
  isDerivedEvent,
  type ReviewDropReason,
  type ReviewRules,
  type SignalExportStats,
  toEpochMs,
  toTrainingRow,
  type VersionChange,
} from '@tightloop/pipeline'
import { isTrainingSignal, SIGNALS, type Signal, type StoredEvent } from '@tightloop/schema'

/** Rows the dedup window of the candidate counts remembers (as the export's default). */
const DEDUP_WINDOW = 1_000_000
/** A correction text far (≥ 10 edits) from the stub answer, so only the real text verdict counts. */
const STUB_CORRECTION = 'stub correction, judged on the real texts'

/**
 * What the candidacy filter needs of one training-signal event once its texts were judged:
 * the fields of the rules that depend on the clock, the adversary list and the version
 * changes (`stub`), the verdict of the rules that depend on the texts only, and the row hash.
 */
export interface CandidateRecord {
  stub: StoredEvent
  time: number
  /** `null` when the texts make a row; otherwise the text rule that fired. */
  textVerdict: DropReason | null
  hashHigh: number
  hashLow: number
}

/** Options of one stats computation: the rules the export would apply today. */
export interface CandidacyPolicy {
  now: number
  ttlDays: number
  /** Users the export excludes (confirmed, or flagged with auto-ban). */
  excluded: ReadonlySet<string>
  versionChanges: readonly VersionChange[]
  /** Hold out feedback about eval-slice answers, as the export does (`eval_holdout`). */
  evalHoldout?: boolean
  /** Reviewers' decisions and users' reliability, applied as the export applies them. */
  reviews?: ReviewRules
  /**
   * The project derives abandonment and rephrase itself: those older browsers sent are dropped
   * as `client_implicit`, as the export drops them (the derived ones come as records too).
   */
  derivedImplicit?: boolean
}

/** Counts for one signal, as the export builder reports them. */
export type SignalCandidateCounts = SignalExportStats

/**
 * Training-candidate counts over a time window: the export's own counts, without its dedup
 * window's. `events === rows + sum(dropped)`.
 */
export interface CandidateCounts extends Omit<ExportStats, 'dedup'> {
  /**
   * Rows an export of everything would keep whose trusted time is in the 30 days before
   * `now`, whatever the window (the low-volume rule's input).
   */
  rowsLast30Days: number
}

/** The records of a project with the cached policy verdicts of the settled ones. */
export interface CandidateSet {
  candidates: CandidateRecord[]
  verdicts: VerdictCache | null
}

// The text rules judged once, at the event's own time, with no adversaries or version changes:
// only the rules after the version checks (missing texts, CSAT 3–5, typo fixes) can fire.
/**
 * The compact record of a training-signal event; null for impressions and thumbs-up.
 *
 * @example const record = candidateRecord(storedEvent)
 */
export function candidateRecord(event: StoredEvent): CandidateRecord | null {
  if (!isTrainingSignal(event.signal)) return null
  const time = eventTimeMs(event)
  let textVerdict: DropReason | null = null
  let hashHigh = 0
  let hashLow = 0
  if (!Number.isNaN(time)) {
    const verdict = createCandidacyFilter({ now: time })(event)
    if (verdict.candidate) {
      const hash = toTrainingRow(event)!.row_id
      hashHigh = Number.parseInt(hash.slice(0, 8), 16)
      hashLow = Number.parseInt(hash.slice(8, 16), 16)
    } else {
      textVerdict = verdict.reason
    }
  }
  return { stub: stubOf(event), time, textVerdict, hashHigh, hashLow }
}

/** What a stub keeps of an event (see {@link stubOf}). */
export type StubFields = Pick<
  StoredEvent,
  'eventId' | 'signal' | 'requestId' | 'userId' | 'occurredAt' | 'receivedAt' | 'productVersion'
> & { escalationReason?: string; rephraseOf?: string }

/** The event with its texts replaced by short ones that pass every text rule. */
export function stubOf(event: StubFields): StoredEvent {
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
export interface VerdictCache {
  key: string
  ttlCutoff: number
  verdicts: Uint8Array
}

// Those rules run in the export's own filter on each record's stub. While the policy stays
// the same, the only verdicts that can change are those of records the TTL cutoff passed
// since the last request, so a warm request re-judges those and new records only.
function policyVerdicts(
  sets: readonly CandidateSet[],
  tail: readonly CandidateRecord[],
  policy: CandidacyPolicy,
): (record: number) => CandidacyVerdict {
  const check = createCandidacyFilter({
    now: policy.now,
    ttlDays: policy.ttlDays,
    adversaries: policy.excluded,
    versionChanges: policy.versionChanges,
    holdOutEvalSlice: policy.evalHoldout ?? false,
  })
  const key = JSON.stringify([
    policy.evalHoldout ?? false,
    policy.ttlDays,
    [...policy.excluded].sort(),
    policy.versionChanges
      .map((v) => [v.version, toEpochMs(v.changedAt)] as const)
      .filter(([, at]) => at <= policy.now)
      .sort(),
  ])
  const ttlCutoff = policy.now - policy.ttlDays * 86_400_000
  const all = new Uint8Array(sets.reduce((n, set) => n + set.candidates.length, 0) + tail.length)
  let offset = 0
  for (const set of sets) {
    const records = set.candidates
    const previous = set.verdicts
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
    set.verdicts = { key, ttlCutoff, verdicts }
    all.set(verdicts, offset)
    offset += records.length
  }
  for (const record of tail) all[offset++] = encode(check(record.stub))
  return (index) => decode(all[index]!)
}

const KEEP_VERDICT: CandidacyVerdict = { candidate: true }
const DROP_VERDICTS = DROP_REASONS.map((reason): CandidacyVerdict => ({ candidate: false, reason }))
const REASON_CODE = new Map<DropReason, number>(DROP_REASONS.map((reason, i) => [reason, i + 1]))
const encode = (v: CandidacyVerdict) => (v.candidate ? 0 : REASON_CODE.get(v.reason)!)
const decode = (code: number) => (code === 0 ? KEEP_VERDICT : DROP_VERDICTS[code - 1]!)

// The export builder's rules in its order: the policy verdict (rules that run before the text
// rules), then the text verdict, then dedup in receivedAt order. A test checks the result
// equals the export's stats.
export function countCandidates(
  sets: readonly CandidateSet[],
  tail: readonly CandidateRecord[],
  policy: CandidacyPolicy,
  from: number,
  to: number,
): CandidateCounts {
  const verdictOf = policyVerdicts(sets, tail, policy)
  // Two dedup windows: the export of the window, and the export of everything (for the
  // 30-day count the low-volume rule needs). The verdict itself is computed once.
  const seen = createHashWindow(DEDUP_WINDOW)
  const seenAll = createHashWindow(DEDUP_WINDOW)
  const bySignal = Object.fromEntries(
    SIGNALS.map((s) => [s, { events: 0, rows: 0, dropped: zeroDrops() }]),
  ) as Record<Signal, SignalCandidateCounts>
  const monthAgo = policy.now - 30 * 86_400_000
  let rowsLast30Days = 0
  let i = -1
  for (const list of [...sets.map((set) => set.candidates), tail]) {
    for (const record of list) {
      i += 1
      if (policy.derivedImplicit && isClientImplicit(record.stub)) {
        if (record.time < from || record.time >= to) continue
        const counts = bySignal[record.stub.signal]
        counts.events += 1
        counts.dropped.client_implicit += 1
        continue
      }
      const verdict = verdictOf(i)
      // Review rules run first, as in the export; a reviewed correction is no typo fix. (An
      // edited text's own row hash is not known here: dedup uses the original's.)
      let reviewDrop: ReviewDropReason | null = null
      let textVerdict = record.textVerdict
      if (policy.reviews) {
        const review = applyReview(record.stub, policy.reviews)
        if ('drop' in review) reviewDrop = review.drop
        else if (review.reviewed && textVerdict === 'typo_correction') textVerdict = null
      }
      const kept = reviewDrop === null && verdict.candidate && textVerdict === null
      if (kept && seenAll.add(record.hashHigh, record.hashLow) && record.time >= monthAgo) {
        rowsLast30Days += 1
      }
      // Events without a readable time are reported whatever the window.
      if (record.time < from || record.time >= to) continue
      const counts = bySignal[record.stub.signal]
      counts.events += 1
      const reason: ExportDropReason | null =
        reviewDrop ??
        (!verdict.candidate
          ? heldOutOrText(verdict.reason, textVerdict)
          : (textVerdict ??
            (seen.add(record.hashHigh, record.hashLow) ? null : ('duplicate' as const))))
      if (reason) counts.dropped[reason] += 1
      else counts.rows += 1
    }
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

/** An abandonment or rephrase a browser decided itself (not one the collector derived). */
const isClientImplicit = (stub: StoredEvent) =>
  (stub.signal === 'session_abandon' || stub.signal === 'rephrase') && !isDerivedEvent(stub)

// The stub passes every text rule, so its verdict may say eval_holdout where the export, which
// runs the missing-text and CSAT rules first, reports those: keep the export's order.
function heldOutOrText(reason: DropReason, textVerdict: DropReason | null): DropReason {
  return reason === 'eval_holdout' && textVerdict !== null && textVerdict !== 'typo_correction'
    ? textVerdict
    : reason
}

function zeroDrops(): Record<ExportDropReason, number> {
  return Object.fromEntries(EXPORT_DROP_REASONS.map((r) => [r, 0])) as Record<
    ExportDropReason,
    number
  >
}
