// The candidacy filter: decides whether a stored event may become training data, and why not.
//
// Every rule below is named after the reason it reports, so the collector can count what the
// filters dropped. Rules run in the order of DROP_REASONS and the first that fires is reported.

import { isTrainingSignal, type StoredEvent, type TrainingSignal } from '@tightloop/schema'
import { distance } from 'fastest-levenshtein'
import { PipelineInputError } from './errors.ts'
import { type EvalSliceOptions, mayConcernEvalSlice } from './eval-slice.ts'
import { clockMs, DAY_MS, eventTimeMs, type Instant } from './time.ts'
import { type AnswerTexts, judgedRequestId, normalizeAnswer } from './training-row.ts'

/**
 * Feedback older than this many days is stale by default (the seed's 45-day cutoff).
 *
 * @example createCandidacyFilter({ now, ttlDays: DEFAULT_TTL_DAYS / 3 }) // a fast-moving product
 */
export const DEFAULT_TTL_DAYS = 45

/**
 * A correction closer than this many edits (Levenshtein) to the answer is a typo fix.
 *
 * @example isTypoFix(answer, correction, MIN_CORRECTION_DISTANCE)
 */
export const MIN_CORRECTION_DISTANCE = 10

/**
 * Highest CSAT score that still counts as a complaint (1–2 train, 3–5 do not).
 *
 * @example event.csat <= MAX_NEGATIVE_CSAT // a complaint
 */
export const MAX_NEGATIVE_CSAT = 2

/**
 * Every reason the filter can drop an event for, in the order the rules run.
 *
 * - `excluded_signal`: `thumbs_up` and `response_shown` never train. Prevents survivorship
 *   bias: happy users rarely click, so thumbs-up measures engagement, not quality; impressions
 *   carry no judgement at all.
 * - `signal_disabled`: the project turned this signal off (`signals` option), e.g. rephrase,
 *   which flags confusion more than bad answers.
 * - `adversarial_user`: the user is on the project's adversary list. Prevents one troll or
 *   poisoner from steering a whole batch.
 * - `invalid_timestamp`: `receivedAt` is unreadable, so staleness cannot be judged. Prevents
 *   silently keeping events of unknown age.
 * - `older_than_ttl`: trusted time older than the TTL. Prevents stale labels when nobody
 *   recorded the product change that made them wrong.
 * - `before_version_change`: produced before the most recent product-version change, even if
 *   received after it (an offline queue flushing late). Prevents teaching the old answer after
 *   the KB, product or pricing changed.
 * - `outdated_product_version`: stamped with a known product version that is not the current
 *   one, even if produced after the change (a tab left open on the old build, a rollback).
 * - `no_logged_answer`: the project requires the answer log (`requireAnswerLog`) and the bot's
 *   backend never logged the answer judged. Prevents training on texts only a browser vouches for.
 * - `answer_mismatch`: the answer is logged and the response the browser sent differs from it
 *   (whitespace aside). Prevents a forged (prompt, answer, correction) about an answer the bot
 *   never gave; with a logged answer, the logged texts are what trains.
 * - `missing_prompt` / `missing_response`: a row needs both texts; without them there is
 *   nothing to train on.
 * - `csat_not_negative`: CSAT 3–5 says the answer was acceptable; only 1–2 make a rejected row.
 * - `eval_holdout`: the answer is in the frozen eval slice (opt-in). Prevents eval contamination.
 * - `typo_correction`: a correction fewer than 10 edits from the answer fixes a typo, not the
 *   content. Prevents teaching the model that its answer was wrong when it was right.
 *
 * @example const counts = Object.fromEntries(DROP_REASONS.map((r) => [r, 0]))
 */
export const DROP_REASONS = [
  'excluded_signal',
  'signal_disabled',
  'adversarial_user',
  'invalid_timestamp',
  'older_than_ttl',
  'before_version_change',
  'outdated_product_version',
  'no_logged_answer',
  'answer_mismatch',
  'missing_prompt',
  'missing_response',
  'csat_not_negative',
  'eval_holdout',
  'typo_correction',
] as const

/** Why the candidacy filter dropped an event. */
export type DropReason = (typeof DROP_REASONS)[number]

/** The filter's answer: keep, or drop with the rule that fired. */
export type CandidacyVerdict = { candidate: true } | { candidate: false; reason: DropReason }

/** A product-version change: from `changedAt` on, `version` is what users get. */
export interface VersionChange {
  version: string
  changedAt: Instant
}

/** What the filter needs to know besides the event. Merged once, at creation. */
export interface CandidacyOptions {
  /** The clock: export time. Rules never read the system clock. */
  now: Instant
  /** User ids the project treats as adversarial. */
  adversaries?: ReadonlySet<string> | readonly string[]
  /** Days after which feedback is stale; default {@link DEFAULT_TTL_DAYS}. */
  ttlDays?: number
  /** The project's product-version changes, any order; those after `now` are ignored. */
  versionChanges?: readonly VersionChange[]
  /** Smallest edit distance a correction must have; default {@link MIN_CORRECTION_DISTANCE}. */
  minCorrectionDistance?: number
  /** Signals allowed to train; default all training signals. */
  signals?: readonly TrainingSignal[]
  /** Drop feedback about answers held out in the frozen eval slice; default off. */
  holdOutEvalSlice?: boolean | EvalSliceOptions
  /** Drop feedback whose judged answer the backend never logged; default off. */
  requireAnswerLog?: boolean
}

/**
 * A compiled filter: one event in (with the logged answer it judges, when there is one), one
 * verdict out.
 */
/**
 * Judges one event, with the logged answer it is about when there is one. `reviewed`: a person
 * approved this correction, so it is no typo fix whatever its distance from the answer.
 */
export type CandidacyFilter = (
  event: StoredEvent,
  answer?: AnswerTexts | null,
  reviewed?: boolean,
) => CandidacyVerdict

const KEEP: CandidacyVerdict = Object.freeze({ candidate: true })
const DROP = Object.fromEntries(
  DROP_REASONS.map((reason) => [reason, Object.freeze({ candidate: false, reason })]),
) as Record<DropReason, CandidacyVerdict>

/**
 * Compiles the candidacy rules once for a project and a clock; the returned function is what
 * an export loop calls per event.
 *
 * Edges, decided here: an event exactly `ttlDays` old is kept, one millisecond older is
 * dropped (the seed's `timestamp < now - ttl`); an event at exactly `changedAt` belongs to the
 * new version and is kept; a correction exactly 10 edits away is kept. Versions are opaque ids:
 * an event's `productVersion` counts as outdated only if it appears in `versionChanges` and is
 * not the current one; an unknown version (a build not yet registered) is judged on time alone.
 *
 * @example
 * const check = createCandidacyFilter({ now: new Date(), adversaries: new Set(['u-troll']) })
 * const verdict = check(storedEvent)
 * if (!verdict.candidate) counts[verdict.reason] += 1
 */
export function createCandidacyFilter(options: CandidacyOptions): CandidacyFilter {
  const now = clockMs(options.now)
  const ttlDays = options.ttlDays ?? DEFAULT_TTL_DAYS
  if (!(Number.isFinite(ttlDays) && ttlDays > 0)) {
    throw new PipelineInputError(
      'invalid_option',
      `ttlDays must be a positive number, got ${ttlDays}`,
    )
  }
  const minDistance = options.minCorrectionDistance ?? MIN_CORRECTION_DISTANCE
  if (!(Number.isInteger(minDistance) && minDistance >= 0)) {
    throw new PipelineInputError(
      'invalid_option',
      `minCorrectionDistance must be a non-negative integer, got ${minDistance}`,
    )
  }
  const ttlCutoff = now - ttlDays * DAY_MS
  const adversaries =
    options.adversaries instanceof Set ? options.adversaries : new Set(options.adversaries ?? [])
  const allowed = options.signals ? new Set<string>(options.signals) : undefined
  const {
    cutoff: versionCutoff,
    current,
    outdated,
  } = versionState(options.versionChanges ?? [], now)
  const holdout = options.holdOutEvalSlice
  const sliceOptions: EvalSliceOptions | undefined =
    holdout === true ? {} : holdout === false || holdout === undefined ? undefined : holdout

  const requireAnswerLog = options.requireAnswerLog === true

  return (event, answer, reviewed) => {
    if (!isTrainingSignal(event.signal)) return DROP.excluded_signal
    if (allowed && !allowed.has(event.signal)) return DROP.signal_disabled
    if (adversaries.has(event.userId)) return DROP.adversarial_user
    const time = eventTimeMs(event)
    if (Number.isNaN(time)) return DROP.invalid_timestamp
    if (time < ttlCutoff) return DROP.older_than_ttl
    if (time < versionCutoff) return DROP.before_version_change
    const version = event.productVersion
    if (version !== undefined && version !== current && outdated.has(version)) {
      return DROP.outdated_product_version
    }
    if (!answer && requireAnswerLog) return DROP.no_logged_answer
    if (
      answer &&
      event.response !== undefined &&
      normalizeAnswer(event.response) !== normalizeAnswer(answer.response)
    ) {
      return DROP.answer_mismatch
    }
    const prompt = answer ? answer.prompt : event.prompt
    const response = answer ? answer.response : event.response
    if (!prompt) return DROP.missing_prompt
    if (!response) return DROP.missing_response
    if (event.signal === 'csat' && event.csat > MAX_NEGATIVE_CSAT) return DROP.csat_not_negative
    if (sliceOptions && mayConcernEvalSlice(judgedRequestId(event), time, sliceOptions)) {
      return DROP.eval_holdout
    }
    if (
      event.signal === 'explicit_correction' &&
      !reviewed &&
      isTypoFix(response, event.correctionText, minDistance)
    ) {
      return DROP.typo_correction
    }
    return KEEP
  }
}

/**
 * One-off verdict for one event. Compiles the options each call: in a loop, use
 * {@link createCandidacyFilter} once instead.
 *
 * @example checkCandidacy(event, { now: Date.now() }) // { candidate: false, reason: 'excluded_signal' }
 */
export function checkCandidacy(event: StoredEvent, options: CandidacyOptions): CandidacyVerdict {
  return createCandidacyFilter(options)(event)
}

/**
 * The seed's yes/no question, for callers that do not need the reason.
 *
 * @example isTrainingCandidate(event, { now: Date.now(), adversaries: ['u-troll'] }) // boolean
 */
export function isTrainingCandidate(event: StoredEvent, options: CandidacyOptions): boolean {
  return checkCandidacy(event, options).candidate
}

/**
 * Whether a correction only fixes a typo: fewer than `minDistance` Levenshtein edits (UTF-16
 * units) from the answer. Skips the quadratic distance when the lengths alone prove it large.
 *
 * @example isTypoFix('Reset in Setings.', 'Reset in Settings.') // true
 */
export function isTypoFix(
  response: string,
  correction: string,
  minDistance = MIN_CORRECTION_DISTANCE,
): boolean {
  if (Math.abs(response.length - correction.length) >= minDistance) return false
  return distance(response, correction) < minDistance
}

interface VersionState {
  /** Events whose trusted time is before this are from before the latest change. */
  cutoff: number
  current: string | undefined
  /** Known versions that are no longer current. */
  outdated: ReadonlySet<string>
}

function versionState(changes: readonly VersionChange[], now: number): VersionState {
  let latest: { version: string; at: number } | undefined
  const seen = new Set<string>()
  for (const [index, change] of changes.entries()) {
    const at = clockMs(change.changedAt, `versionChanges[${index}].changedAt`)
    if (typeof change.version !== 'string' || change.version === '') {
      throw new PipelineInputError('invalid_option', `versionChanges[${index}].version is empty`)
    }
    if (at > now) continue
    seen.add(change.version)
    if (!latest || at >= latest.at) latest = { version: change.version, at }
  }
  if (!latest) return { cutoff: Number.NEGATIVE_INFINITY, current: undefined, outdated: seen }
  seen.delete(latest.version)
  return { cutoff: latest.at, current: latest.version, outdated: seen }
}
