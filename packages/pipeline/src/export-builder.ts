// The streaming export: stored events in, deduplicated training rows out, with counts of
// what was kept and what was dropped, per reason and per signal.
import { isTrainingSignal, SIGNALS, type Signal, type StoredEvent } from '@tightloop/schema'
import {
  type CandidacyOptions,
  createCandidacyFilter,
  DROP_REASONS,
  type DropReason,
} from './candidacy.ts'
import { PipelineInputError } from './errors.ts'
import { createHashWindow } from './hash-window.ts'
import { isDerivedEvent } from './implicit-signals.ts'
import {
  applyReview,
  REVIEW_DROP_REASONS,
  REVIEWED_WEIGHT,
  type ReviewDropReason,
  type ReviewRules,
} from './review-rules.ts'
import { type AnswerTexts, type TrainingRow, toTrainingRow } from './training-row.ts'

/**
 * Rows remembered for deduplication by default. Duplicates come from retries and double
 * clicks, minutes apart in a time-ordered cursor; a row repeated further apart than this many
 * rows is not collapsed. 1,000,000 keys cost 16 MiB.
 *
 * @example createExportBuilder({ now, dedupWindow: DEFAULT_DEDUP_WINDOW * 4 })
 */
export const DEFAULT_DEDUP_WINDOW = 1_000_000

/**
 * Why an event gave no row: a candidacy rule, a duplicate of a row already exported, or
 * (`client_implicit`) an abandonment or rephrase an older browser decided itself, ignored
 * when the collector derives them from the session timeline.
 */
export type ExportDropReason = DropReason | ReviewDropReason | 'duplicate' | 'client_implicit'

/**
 * Every {@link ExportDropReason}, in report order.
 *
 * @example for (const reason of EXPORT_DROP_REASONS) console.log(reason, stats.dropped[reason])
 */
export const EXPORT_DROP_REASONS: readonly ExportDropReason[] = [
  ...DROP_REASONS,
  ...REVIEW_DROP_REASONS,
  'duplicate',
  'client_implicit',
]

/** Options of an export: the candidacy rules plus the dedup window. */
export interface ExportBuilderOptions extends CandidacyOptions {
  /** Most row hashes remembered; default {@link DEFAULT_DEDUP_WINDOW}. */
  dedupWindow?: number
  /**
   * The collector derives abandonment and rephrase (implicit-signals.ts): the ones browsers
   * sent are dropped as `client_implicit`, so one session never trains twice for one reason.
   */
  derivedImplicit?: boolean
  /** Reviewers' decisions and the users' reliability (review-rules.ts); none: not applied. */
  reviews?: ReviewRules
}

/** Counts for one signal. */
export interface SignalExportStats {
  events: number
  rows: number
  dropped: Record<ExportDropReason, number>
}

/** What an export has seen so far. `events === rows + sum(dropped)`. */
export interface ExportStats {
  events: number
  rows: number
  dropped: Record<ExportDropReason, number>
  bySignal: Record<Signal, SignalExportStats>
  dedup: { window: number; held: number; evicted: number }
}

/** A running export. */
export interface ExportBuilder {
  /**
   * Judges one event, with the logged answer it judges when there is one (its texts then
   * replace the browser's); returns the row it gives (at most one), or none.
   */
  push(event: StoredEvent, answer?: AnswerTexts | null): readonly TrainingRow[]
  /** Counts so far: a fresh object each call. */
  stats(): ExportStats
}

const NO_ROWS: readonly TrainingRow[] = Object.freeze([])

/**
 * Creates a streaming export. Feed it events from a cursor in any order; memory stays flat
 * except for the dedup window, which holds 64 bits of each row hash and is bounded by
 * `dedupWindow`. Duplicates (same `row_id`) after the first are dropped as `duplicate`:
 * the hash includes the signal, so duplicates share one weight and the first is as strong as
 * any later one.
 *
 * @example
 * const builder = createExportBuilder({ now: new Date(), adversaries })
 * for await (const event of cursor) for (const row of builder.push(event)) out.write(toNdjsonLine(row))
 * console.log(builder.stats().dropped)
 */
export function createExportBuilder(options: ExportBuilderOptions): ExportBuilder {
  const windowSize = options.dedupWindow ?? DEFAULT_DEDUP_WINDOW
  if (!(Number.isInteger(windowSize) && windowSize > 0)) {
    throw new PipelineInputError(
      'invalid_option',
      `dedupWindow must be a positive integer, got ${windowSize}`,
    )
  }
  const check = createCandidacyFilter(options)
  const seen = createHashWindow(windowSize)
  const reasonCount = EXPORT_DROP_REASONS.length
  const reasonIndex = new Map(EXPORT_DROP_REASONS.map((reason, i) => [reason, i]))
  const signalIndex = new Map<string, number>(SIGNALS.map((signal, i) => [signal, i]))
  const duplicateIndex = reasonIndex.get('duplicate')!
  const clientImplicitIndex = reasonIndex.get('client_implicit')!
  // Flat counters: [signal][reason] drops, [signal] events and rows.
  const drops = new Float64Array(SIGNALS.length * reasonCount)
  const events = new Float64Array(SIGNALS.length)
  const rows = new Float64Array(SIGNALS.length)

  return {
    push(given, answer) {
      let event = given
      const s = signalIndex.get(event.signal)
      if (s === undefined) throw new TypeError(`unknown signal ${String(event.signal)}`)
      events[s]! += 1
      if (
        options.derivedImplicit &&
        (event.signal === 'session_abandon' || event.signal === 'rephrase') &&
        !isDerivedEvent(event)
      ) {
        drops[s * reasonCount + clientImplicitIndex]! += 1
        return NO_ROWS
      }
      let reviewed = false
      let reliability: number | undefined
      if (options.reviews && isTrainingSignal(event.signal)) {
        const review = applyReview(event, options.reviews)
        if ('drop' in review) {
          drops[s * reasonCount + reasonIndex.get(review.drop)!]! += 1
          return NO_ROWS
        }
        ;({ event, reviewed, reliability } = review)
      }
      const verdict = check(event, answer, reviewed)
      if (!verdict.candidate) {
        drops[s * reasonCount + reasonIndex.get(verdict.reason)!]! += 1
        return NO_ROWS
      }
      const row = toTrainingRow(event, answer)
      if (!row) throw new Error(`candidate ${event.eventId} made no row: rules out of sync`)
      if (reviewed) {
        row.source = 'reviewed'
        row.weight = REVIEWED_WEIGHT
      } else if (reliability !== undefined) {
        row.weight *= reliability
        row.reliability = reliability
      }
      const hash = row.row_id
      if (!seen.add(parseInt(hash.slice(0, 8), 16), parseInt(hash.slice(8, 16), 16))) {
        drops[s * reasonCount + duplicateIndex]! += 1
        return NO_ROWS
      }
      rows[s]! += 1
      return [row]
    },

    stats() {
      const totalDropped = zeroCounts()
      const bySignal = {} as Record<Signal, SignalExportStats>
      let totalEvents = 0
      let totalRows = 0
      for (const [s, signal] of SIGNALS.entries()) {
        const dropped = zeroCounts()
        for (const [r, reason] of EXPORT_DROP_REASONS.entries()) {
          const n = drops[s * reasonCount + r]!
          dropped[reason] = n
          totalDropped[reason] += n
        }
        bySignal[signal] = { events: events[s]!, rows: rows[s]!, dropped }
        totalEvents += events[s]!
        totalRows += rows[s]!
      }
      return {
        events: totalEvents,
        rows: totalRows,
        dropped: totalDropped,
        bySignal,
        dedup: { window: windowSize, held: seen.size, evicted: seen.evicted },
      }
    },
  }
}

/**
 * Runs a whole array through an export builder: the seed's `build_training_batch`, with the
 * reasons kept.
 *
 * @example const { rows, stats } = buildTrainingBatch(events, { now: Date.now() })
 */
export function buildTrainingBatch(
  events: Iterable<StoredEvent>,
  options: ExportBuilderOptions,
): { rows: TrainingRow[]; stats: ExportStats } {
  const builder = createExportBuilder(options)
  const rows: TrainingRow[] = []
  for (const event of events) rows.push(...builder.push(event))
  return { rows, stats: builder.stats() }
}

function zeroCounts(): Record<ExportDropReason, number> {
  return Object.fromEntries(EXPORT_DROP_REASONS.map((reason) => [reason, 0])) as Record<
    ExportDropReason,
    number
  >
}
