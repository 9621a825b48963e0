// Drift alerts over a daily series: each alert names the rule that fired and its numbers.
//
// Windows: a metric's "current" value is the mean of the last `currentDays` days (3 by
// default: one odd day is noise, three in a row is a shift) and its baseline is the
// `baselineDays` days before those (14). σ is the standard deviation of the baseline's daily
// values, floored at `minRelativeSigma` of its mean so a flat baseline cannot make any wiggle
// an alert, and for CSAT and the rates at the baseline days' mean sampling error (a 14-day
// deviation that came out small by chance would otherwise turn an ordinary day into an alert).
import type { DriftSummary } from './drift.ts'
import { mean, standardDeviation } from './robust-stats.ts'

/**
 * The alert rules.
 *
 * - `guardrail_drift`: answer length, type/token ratio or specificity moved more than 2σ from
 *   its trailing baseline. Catches reward hacking and silent model or prompt changes early,
 *   from the answers alone.
 * - `reward_hacking`: CSAT or task completion (answers not escalated or abandoned) fell more
 *   than 2σ while the thumbs-up rate held (within 2σ and
 *   within 15 % of its baseline: a trend inside the baseline inflates σ, and a rate that fell
 *   tenfold has not "held" whatever σ says): the model is pleasing the proxy (clicks) and
 *   failing the goal (satisfaction).
 * - `low_volume`: fewer than 500 validated feedback events in the last 30 days: statistical
 *   noise dominates, wait or batch quarterly.
 * - `adversarial_traffic`: more than 10 % of the last 7 days' feedback came from flagged
 *   adversaries: the feedback signal is poisoned; lean on automated evals instead.
 *
 * @example for (const rule of DRIFT_ALERT_RULES) counts[rule] = 0
 */
export const DRIFT_ALERT_RULES = [
  'guardrail_drift',
  'reward_hacking',
  'low_volume',
  'adversarial_traffic',
] as const

/** A drift alert rule name. */
export type DriftAlertRule = (typeof DRIFT_ALERT_RULES)[number]

/** One alert, on one day. */
export interface DriftAlert {
  day: string
  rule: DriftAlertRule
  /** The metric that moved, for `guardrail_drift`. */
  metric?: GuardrailMetric
  message: string
  evidence: Record<string, number>
}

/** The answer measures `guardrail_drift` watches. */
export type GuardrailMetric = 'meanLength' | 'meanTypeTokenRatio' | 'meanSpecificity'

/** Thresholds and windows; every field has a documented default. */
export interface DriftAlertOptions {
  /** Days in the trailing baseline; default 14. */
  baselineDays?: number
  /** Days averaged into the current value; default 3. */
  currentDays?: number
  /** Distance from the baseline, in σ, that fires; default 2. */
  sigmas?: number
  /** Floor of σ as a share of the baseline mean; default 0.01. */
  minRelativeSigma?: number
  /** Largest relative change of the thumbs-up rate that still counts as held; default 0.15. */
  thumbsUpHeldTolerance?: number
  /** Least validated events in 30 days; default 500. */
  minValidatedPerMonth?: number
  /**
   * Validated events of the last 30 days if known (e.g. the export's kept rows); otherwise
   * the series' `trainingSignals` are summed, an upper bound.
   */
  validatedLast30Days?: number
  /** Largest share of feedback from flagged adversaries; default 0.10. */
  maxAdversaryShare?: number
  /** Days the adversary share is measured over; default 7. */
  adversaryWindowDays?: number
}

/**
 * Defaults of {@link DriftAlertOptions}.
 *
 * @example DEFAULT_DRIFT_ALERT_OPTIONS.baselineDays // 14
 */
export const DEFAULT_DRIFT_ALERT_OPTIONS = Object.freeze({
  baselineDays: 14,
  currentDays: 3,
  sigmas: 2,
  minRelativeSigma: 0.01,
  thumbsUpHeldTolerance: 0.15,
  minValidatedPerMonth: 500,
  maxAdversaryShare: 0.1,
  adversaryWindowDays: 7,
})

const GUARDRAILS: readonly GuardrailMetric[] = [
  'meanLength',
  'meanTypeTokenRatio',
  'meanSpecificity',
]
const MONTH_DAYS = 30
const byAnswers = (d: DriftSummary) => d.answers.count
const byRatings = (d: DriftSummary) => d.csat.count
const byShown = (d: DriftSummary) => d.shown
const thumbsUpRate = (d: DriftSummary) => d.rates.thumbsUp
const taskCompletionRate = (d: DriftSummary) => d.rates.taskCompletion

/**
 * Evaluates every rule on every day of a daily series (consecutive days, oldest first, as
 * `byDay()` gives them; fill gaps with empty days first). Days without enough history are
 * skipped by the windowed rules. A dashboard shows the last day's alerts; the full list shows
 * when each began.
 *
 * @example detectDriftAlerts(drift.byDay()).filter((a) => a.day === today)
 */
export function detectDriftAlerts(
  series: readonly DriftSummary[],
  options: DriftAlertOptions = {},
): DriftAlert[] {
  const o = { ...DEFAULT_DRIFT_ALERT_OPTIONS, ...options }
  const alerts: DriftAlert[] = []
  for (let i = 0; i < series.length; i++) {
    const day = series[i]!.day
    for (const metric of GUARDRAILS) {
      const shift = windowShift(series, i, (d) => d.answers[metric], o, undefined, byAnswers)
      if (shift && Math.abs(shift.z) > o.sigmas) {
        alerts.push({
          day,
          rule: 'guardrail_drift',
          metric,
          message: `${metric} ${fmt(shift.current)} over the last ${o.currentDays} days is ${fmt(shift.z)}σ from its ${o.baselineDays}-day baseline ${fmt(shift.baseline)} (σ ${fmt(shift.sigma)})`,
          evidence: { ...shift, threshold: o.sigmas },
        })
      }
    }

    const thumbsUp = windowShift(
      series,
      i,
      thumbsUpRate,
      o,
      rateSamplingError(thumbsUpRate),
      byShown,
    )
    const held =
      thumbsUp !== null &&
      Math.abs(thumbsUp.z) <= o.sigmas &&
      Math.abs(thumbsUp.current / thumbsUp.baseline - 1) <= o.thumbsUpHeldTolerance
    if (thumbsUp && held) {
      const csat = windowShift(series, i, (d) => d.csat.mean, o, csatSamplingError, byRatings)
      const completion = windowShift(
        series,
        i,
        taskCompletionRate,
        o,
        rateSamplingError(taskCompletionRate),
        byShown,
      )
      const csatFell = csat !== null && csat.z < -o.sigmas
      const completionFell = completion !== null && completion.z < -o.sigmas
      if (csatFell || completionFell) {
        const fell = [
          csatFell &&
            `CSAT fell to ${fmt(csat.current)} (${fmt(csat.z)}σ from ${fmt(csat.baseline)})`,
          completionFell &&
            `task completion fell to ${fmt(completion.current)} (${fmt(completion.z)}σ from ${fmt(completion.baseline)})`,
        ].filter(Boolean)
        alerts.push({
          day,
          rule: 'reward_hacking',
          message: `${fell.join(' and ')} while the thumbs-up rate held at ${fmt(thumbsUp.current)} (${fmt(thumbsUp.z)}σ)`,
          evidence: {
            ...(csat && { csat: csat.current, csatBaseline: csat.baseline, csatZ: csat.z }),
            ...(completion && {
              taskCompletion: completion.current,
              taskCompletionBaseline: completion.baseline,
              taskCompletionZ: completion.z,
            }),
            thumbsUpRate: thumbsUp.current,
            thumbsUpBaseline: thumbsUp.baseline,
            thumbsUpZ: thumbsUp.z,
            threshold: o.sigmas,
          },
        })
      }
    }

    // A caller-supplied count describes today only; earlier days use the series.
    const known = i === series.length - 1 ? options.validatedLast30Days : undefined
    if (known !== undefined || i >= MONTH_DAYS - 1) {
      const validated = known ?? sumOver(series, i, MONTH_DAYS, (d) => d.trainingSignals)
      if (validated < o.minValidatedPerMonth) {
        alerts.push({
          day,
          rule: 'low_volume',
          message: `${validated} validated feedback events in the last ${MONTH_DAYS} days, under ${o.minValidatedPerMonth}: noise dominates, batch quarterly`,
          evidence: { validated, threshold: o.minValidatedPerMonth },
        })
      }
    }

    const feedback = sumOver(series, i, o.adversaryWindowDays, (d) => d.feedback)
    const adversarial = sumOver(series, i, o.adversaryWindowDays, (d) => d.adversaryFeedback)
    if (feedback > 0 && adversarial / feedback > o.maxAdversaryShare) {
      alerts.push({
        day,
        rule: 'adversarial_traffic',
        message: `${fmt((100 * adversarial) / feedback)} % of the last ${o.adversaryWindowDays} days' feedback came from flagged adversaries (limit ${100 * o.maxAdversaryShare} %)`,
        evidence: {
          adversarial,
          feedback,
          share: adversarial / feedback,
          threshold: o.maxAdversaryShare,
        },
      })
    }
  }
  return alerts
}

/** The series a dashboard draws with the band an alert rule compares it against. */
export const BANDED_METRICS = [
  'meanLength',
  'meanTypeTokenRatio',
  'meanSpecificity',
  'csat',
  'thumbsUpRate',
  'taskCompletion',
] as const

/** A metric drawn with its band. */
export type BandedMetric = (typeof BANDED_METRICS)[number]

/** One day of a banded metric; nulls where the day or its baseline has no data. */
export interface BandPoint {
  day: string
  /** The day's own value. */
  value: number | null
  /** Mean of the current window (the value the rules compare). */
  current: number | null
  /** Baseline mean − `sigmas`·σ and + `sigmas`·σ. */
  lower: number | null
  upper: number | null
}

const BAND_VALUES: Record<BandedMetric, (d: DriftSummary) => number | null> = {
  meanLength: (d) => d.answers.meanLength,
  meanTypeTokenRatio: (d) => d.answers.meanTypeTokenRatio,
  meanSpecificity: (d) => d.answers.meanSpecificity,
  csat: (d) => d.csat.mean,
  thumbsUpRate: (d) => d.rates.thumbsUp,
  taskCompletion: (d) => d.rates.taskCompletion,
}

const BAND_SAMPLING_ERRORS: Partial<Record<BandedMetric, (d: DriftSummary) => number | null>> = {
  csat: csatSamplingError,
  thumbsUpRate: rateSamplingError(thumbsUpRate),
  taskCompletion: rateSamplingError(taskCompletionRate),
}

const BAND_WEIGHTS: Record<BandedMetric, (d: DriftSummary) => number> = {
  meanLength: byAnswers,
  meanTypeTokenRatio: byAnswers,
  meanSpecificity: byAnswers,
  csat: byRatings,
  thumbsUpRate: byShown,
  taskCompletion: byShown,
}

/**
 * The ±2σ band of each watched metric, computed exactly as {@link detectDriftAlerts} does:
 * a point outside its band on a chart is an alert in the list.
 *
 * @example driftBands(series).meanLength.filter((p) => p.current! < p.lower!)
 */
export function driftBands(
  series: readonly DriftSummary[],
  options: DriftAlertOptions = {},
): Record<BandedMetric, BandPoint[]> {
  const o = { ...DEFAULT_DRIFT_ALERT_OPTIONS, ...options }
  const out = {} as Record<BandedMetric, BandPoint[]>
  for (const metric of BANDED_METRICS) {
    const value = BAND_VALUES[metric]
    out[metric] = series.map((d, i) => {
      const shift = windowShift(
        series,
        i,
        value,
        o,
        BAND_SAMPLING_ERRORS[metric],
        BAND_WEIGHTS[metric],
      )
      return {
        day: d.day,
        value: value(d),
        current: shift?.current ?? null,
        lower: shift ? shift.baseline - o.sigmas * shift.sigma : null,
        upper: shift ? shift.baseline + o.sigmas * shift.sigma : null,
      }
    })
  }
  return out
}

function pooledMean(
  days: readonly DriftSummary[],
  value: (day: DriftSummary) => number | null,
  weight: (day: DriftSummary) => number,
): number {
  let sum = 0
  let weights = 0
  for (const day of days) {
    const v = value(day)
    const w = weight(day)
    if (v === null || !Number.isFinite(v) || !(w > 0)) continue
    sum += v * w
    weights += w
  }
  return weights > 0 ? sum / weights : Number.NaN
}

/** Standard error of a day's CSAT mean, from its own distribution of scores. */
function csatSamplingError(d: DriftSummary): number | null {
  const { count, mean: m, distribution } = d.csat
  if (count < 2 || m === null) return null
  let squares = 0
  for (let score = 1; score <= 5; score++) squares += distribution[score - 1]! * (score - m) ** 2
  return Math.sqrt(squares / (count - 1) / count)
}

/** Standard error of a day's rate per answer shown (binomial). */
function rateSamplingError(rate: (d: DriftSummary) => number | null) {
  return (d: DriftSummary): number | null => {
    const p = rate(d)
    return p === null || d.shown === 0 ? null : Math.sqrt((p * (1 - p)) / d.shown)
  }
}

interface Shift {
  current: number
  baseline: number
  sigma: number
  z: number
}

/** Current window vs baseline window ending at day `i`; null without enough data. */
function windowShift(
  series: readonly DriftSummary[],
  i: number,
  value: (day: DriftSummary) => number | null,
  o: { baselineDays: number; currentDays: number; minRelativeSigma: number },
  samplingError?: (day: DriftSummary) => number | null,
  weight?: (day: DriftSummary) => number,
): Shift | null {
  const firstCurrent = i - o.currentDays + 1
  const firstBaseline = firstCurrent - o.baselineDays
  if (firstBaseline < 0) return null
  const present = (from: number, to: number) =>
    series
      .slice(from, to)
      .map(value)
      .filter((v): v is number => v !== null && Number.isFinite(v))
  const current = present(firstCurrent, i + 1)
  const baseline = present(firstBaseline, firstCurrent)
  // Half the days may be missing (a quiet weekend); fewer and the baseline means little.
  if (current.length === 0 || baseline.length < Math.max(2, o.baselineDays / 2)) return null
  const baselineMean = mean(baseline)
  // Day-to-day spread cannot be below a day's sampling error; 14 days can underestimate it
  // by chance, and then any noisy day looks like a shift.
  const floor = samplingError
    ? mean(
        series
          .slice(firstBaseline, firstCurrent)
          .map(samplingError)
          .filter((v): v is number => v !== null && Number.isFinite(v)),
      )
    : 0
  const sigma = Math.max(
    standardDeviation(baseline),
    Math.abs(baselineMean) * o.minRelativeSigma,
    Number.isFinite(floor) ? floor : 0,
  )
  if (!(sigma > 0)) return null
  // The current window pools its days by sample size: this morning's 60 answers must not
  // weigh as much as yesterday's 10,000.
  const currentMean = weight
    ? pooledMean(series.slice(firstCurrent, i + 1), value, weight)
    : mean(current)
  return {
    current: currentMean,
    baseline: baselineMean,
    sigma,
    z: (currentMean - baselineMean) / sigma,
  }
}

function sumOver(
  series: readonly DriftSummary[],
  i: number,
  days: number,
  value: (day: DriftSummary) => number,
): number {
  let sum = 0
  for (let j = Math.max(0, i - days + 1); j <= i; j++) sum += value(series[j]!)
  return sum
}

function fmt(n: number): string {
  return Number(n.toPrecision(4)).toString()
}
