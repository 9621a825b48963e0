// Drift alerts over a daily series: each alert names the rule that fired and its numbers.
//
// Windows (drift-window.ts): a metric's "current" value is the last `currentDays` days pooled
// by sample size (3 by default: one odd day is noise, three in a row is a shift) and its
// baseline is the
// `baselineDays` days before those (14). σ is the standard deviation of the baseline's daily
// values, floored at `minRelativeSigma` of its mean so a flat baseline cannot make any wiggle
// an alert, and for CSAT and the rates at the baseline days' mean sampling error (a 14-day
// deviation that came out small by chance would otherwise turn an ordinary day into an alert).
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

export { BANDED_METRICS, type BandedMetric, type BandPoint, driftBands } from './drift-bands.ts'
export { DEFAULT_DRIFT_ALERT_OPTIONS, type DriftAlertOptions } from './drift-window.ts'

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

const GUARDRAILS: readonly GuardrailMetric[] = [
  'meanLength',
  'meanTypeTokenRatio',
  'meanSpecificity',
]
const MONTH_DAYS = 30
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
