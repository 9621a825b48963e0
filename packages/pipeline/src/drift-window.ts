// The windows drift alerts and bands share: a current window pooled by sample size against a
// trailing baseline whose σ is floored at the days' sampling error. Internal to the package.
import type { DriftSummary } from './drift.ts'
import { mean, standardDeviation } from './robust-stats.ts'

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

export const byAnswers = (d: DriftSummary) => d.answers.count
export const byRatings = (d: DriftSummary) => d.csat.count
export const byShown = (d: DriftSummary) => d.shown
export const thumbsUpRate = (d: DriftSummary) => d.rates.thumbsUp
export const taskCompletionRate = (d: DriftSummary) => d.rates.taskCompletion

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
export function csatSamplingError(d: DriftSummary): number | null {
  const { count, mean: m, distribution } = d.csat
  if (count < 2 || m === null) return null
  let squares = 0
  for (let score = 1; score <= 5; score++) squares += distribution[score - 1]! * (score - m) ** 2
  return Math.sqrt(squares / (count - 1) / count)
}

/** Standard error of a day's rate per answer shown (binomial). */
export function rateSamplingError(rate: (d: DriftSummary) => number | null) {
  return (d: DriftSummary): number | null => {
    const p = rate(d)
    return p === null || d.shown === 0 ? null : Math.sqrt((p * (1 - p)) / d.shown)
  }
}

/** A current window against its baseline. */
export interface Shift {
  current: number
  baseline: number
  sigma: number
  z: number
}

/** Current window vs baseline window ending at day `i`; null without enough data. */
export function windowShift(
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
