// The frozen eval slice: a deterministic 5 % sample of shown answers per ISO week.
//
// Failure mode prevented: training/serving skew. An eval set curated by hand never sees the
// malformed inputs and odd contexts of live traffic; a fixed random slice of real answers does.
// Membership is a hash of (requestId, week), so asking again, in any order, on any replica,
// gives the same rows, and a slice, once taken, never changes.
import { createHash } from 'node:crypto'
import type { StoredEvent } from '@tightloop/schema'
import { PipelineInputError } from './errors.ts'
import { DAY_MS, eventTimeMs, isoWeekKey, isoWeekStartMs } from './time.ts'

/**
 * Share of `response_shown` events that belong to the eval slice (5 %).
 *
 * @example isInEvalSlice(event, { rate: EVAL_SLICE_RATE })
 */
export const EVAL_SLICE_RATE = 0.05

/** How the slice is drawn. */
export interface EvalSliceOptions {
  /** Share of answers in the slice, 0–1; default {@link EVAL_SLICE_RATE}. */
  rate?: number
  /**
   * A project secret mixed into the hash. Without it anyone who knows the rule can pick
   * request ids that land in (or out of) the slice; with it the slice is unpredictable.
   */
  salt?: string
}

const UINT32_RANGE = 2 ** 32

/**
 * Whether one request belongs to the slice of one ISO week.
 *
 * @example isRequestInEvalSlice('req-42', '2026-W48') // true for about 5 % of ids
 */
export function isRequestInEvalSlice(
  requestId: string,
  week: string,
  options: EvalSliceOptions = {},
): boolean {
  const rate = sliceRate(options)
  const digest = createHash('sha256')
    .update(`${options.salt ?? ''}\u0000${requestId}\u0000${week}`)
    .digest()
  return digest.readUInt32BE(0) / UINT32_RANGE < rate
}

/**
 * The ISO week an event counts in: the week of its trusted time (`occurredAt` clamped to
 * `receivedAt`), which is fixed once the event is stored, so it never moves between exports.
 *
 * @example evalSliceWeek(storedEvent) // '2026-W48'
 */
export function evalSliceWeek(event: Pick<StoredEvent, 'occurredAt' | 'receivedAt'>): string {
  return isoWeekKey(eventTimeMs(event))
}

/**
 * Whether a stored event is in the frozen eval slice: only `response_shown` events are (the
 * slice samples answers as users saw them, not feedback about them).
 *
 * @example isInEvalSlice(shownEvent) // deterministic true/false
 */
export function isInEvalSlice(event: StoredEvent, options: EvalSliceOptions = {}): boolean {
  if (event.signal !== 'response_shown') return false
  return isRequestInEvalSlice(event.requestId, evalSliceWeek(event), options)
}

/**
 * Feedback arriving this soon after a week starts may be about an answer of the week before.
 *
 * @example HOLDOUT_GRACE_MS / 3_600_000 // 24 hours
 */
export const HOLDOUT_GRACE_MS = DAY_MS

/**
 * Whether feedback at `timeMs` about `requestId` may concern an answer held out in the eval
 * slice: checks the feedback's own week and, during the first day of a week, the week before
 * (feedback follows its answer, usually within minutes). Used to keep eval answers out of
 * training data.
 *
 * @example mayConcernEvalSlice('req-42', Date.now()) // boolean
 */
export function mayConcernEvalSlice(
  requestId: string,
  timeMs: number,
  options: EvalSliceOptions = {},
): boolean {
  if (isRequestInEvalSlice(requestId, isoWeekKey(timeMs), options)) return true
  if (timeMs - isoWeekStartMs(timeMs) >= HOLDOUT_GRACE_MS) return false
  return isRequestInEvalSlice(requestId, isoWeekKey(timeMs - 7 * DAY_MS), options)
}

function sliceRate(options: EvalSliceOptions): number {
  const rate = options.rate ?? EVAL_SLICE_RATE
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new PipelineInputError('invalid_option', `eval slice rate must be 0-1, got ${rate}`)
  }
  return rate
}
