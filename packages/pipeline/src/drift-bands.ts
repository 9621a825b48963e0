// The ±2σ band of each watched metric per day, computed as the alert rules compute it.
import type { DriftSummary } from './drift.ts'
import {
  byAnswers,
  byRatings,
  byShown,
  csatSamplingError,
  DEFAULT_DRIFT_ALERT_OPTIONS,
  type DriftAlertOptions,
  rateSamplingError,
  taskCompletionRate,
  thumbsUpRate,
  windowShift,
} from './drift-window.ts'

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
