// The drift statistics of one day: the summary the accumulator of drift.ts makes of its sums,
// and the daily series with the days without events filled in.
import { FACT_SIGNALS, SIGNALS, type Signal } from '@tightloop/schema'
import { DAY_MS, utcDayKey } from './time.ts'

/**
 * Edits per answer shown that a healthy deployment sees: 1–3 % (the seed's figure).
 *
 * @example const [low, high] = CORRECTION_RATE_BAND // 0.01, 0.03
 */
export const CORRECTION_RATE_BAND: readonly [number, number] = [0.01, 0.03]

/** One day (of one product version, or of all when `productVersion` is null). */
export interface DriftSummary {
  day: string
  productVersion: string | null
  volume: Record<Signal, number>
  /** `response_shown` events: the denominator of every rate. */
  shown: number
  /** Every event but `response_shown` and the facts (`prompt_asked`, `page_left`, `answer_resolved`). */
  feedback: number
  /** Feedback from users in the adversary set given to the accumulator. */
  adversaryFeedback: number
  /** Training-signal events from users not in the adversary set (an upper bound of validated). */
  trainingSignals: number
  /** Per answer shown; null when nothing was shown. */
  rates: {
    thumbsUp: number | null
    thumbsDown: number | null
    correction: number | null
    /**
     * Answers that ended without a hand-off to a person or an abandoned session:
     * 1 − (escalations + abandons) / shown, floored at 0. A proxy of task completion.
     */
    taskCompletion: number | null
  }
  /** Whether the correction rate sits in {@link CORRECTION_RATE_BAND}; null without answers. */
  correctionRateInBand: boolean | null
  csat: {
    count: number
    mean: number | null
    distribution: [number, number, number, number, number]
  }
  escalationReasons: Record<string, number>
  /** Guardrails over the answers shown that day (from `response_shown` responses). */
  answers: {
    count: number
    meanLength: number | null
    meanTypeTokenRatio: number | null
    meanSpecificity: number | null
  }
}

/** What the accumulator counts per day and version; {@link summarize} makes a summary of it. */
export interface Sums {
  volume: number[]
  adversaryFeedback: number
  trainingSignals: number
  csat: [number, number, number, number, number]
  escalations: Map<string, number>
  answers: number
  length: number
  typeTokenRatio: number
  specificity: number
}

/** Answers shown and the browser's facts: counted by volume, never as a user's feedback. */
export const NOT_FEEDBACK = new Set<string>(['response_shown', ...FACT_SIGNALS])

/**
 * A consecutive daily series: the days between the first and the last summary that had no
 * events get an empty summary (no answers shown, every rate null), and so do the days after
 * the last one up to `through` (a `YYYY-MM-DD` UTC day, e.g. today). `detectDriftAlerts`
 * counts windows in days, so it wants this.
 *
 * @example detectDriftAlerts(fillMissingDays(drift.byDay(), { through: utcDayKey(Date.now()) }))
 */
export function fillMissingDays(
  series: readonly DriftSummary[],
  options: { through?: string } = {},
): DriftSummary[] {
  if (series.length === 0) return []
  const byDay = new Map(series.map((d) => [d.day, d]))
  const first = Date.parse(`${series[0]!.day}T00:00:00Z`)
  let last = Date.parse(`${series[series.length - 1]!.day}T00:00:00Z`)
  if (options.through !== undefined) {
    const through = Date.parse(`${options.through}T00:00:00Z`)
    if (Number.isNaN(through))
      throw new RangeError(`through must be a YYYY-MM-DD day, got ${options.through}`)
    last = Math.max(last, through)
  }
  const out: DriftSummary[] = []
  for (let t = first; t <= last; t += DAY_MS) {
    const day = utcDayKey(t)
    out.push(byDay.get(day) ?? summarize(day, series[0]!.productVersion, emptySums()))
  }
  return out
}

export function emptySums(): Sums {
  return {
    volume: SIGNALS.map(() => 0),
    adversaryFeedback: 0,
    trainingSignals: 0,
    csat: [0, 0, 0, 0, 0],
    escalations: new Map(),
    answers: 0,
    length: 0,
    typeTokenRatio: 0,
    specificity: 0,
  }
}

export function addInto(total: Sums, sums: Sums): void {
  for (let i = 0; i < total.volume.length; i++) total.volume[i]! += sums.volume[i]!
  for (let i = 0; i < 5; i++) total.csat[i]! += sums.csat[i]!
  for (const [reason, n] of sums.escalations) {
    total.escalations.set(reason, (total.escalations.get(reason) ?? 0) + n)
  }
  total.adversaryFeedback += sums.adversaryFeedback
  total.trainingSignals += sums.trainingSignals
  total.answers += sums.answers
  total.length += sums.length
  total.typeTokenRatio += sums.typeTokenRatio
  total.specificity += sums.specificity
}

export function summarize(day: string, productVersion: string | null, sums: Sums): DriftSummary {
  const volume = Object.fromEntries(SIGNALS.map((s, i) => [s, sums.volume[i]!])) as Record<
    Signal,
    number
  >
  const shown = volume.response_shown
  let feedback = 0
  for (const [i, n] of sums.volume.entries()) if (!NOT_FEEDBACK.has(SIGNALS[i]!)) feedback += n
  const perShown = (n: number) => (shown ? n / shown : null)
  const correction = perShown(volume.explicit_correction)
  const csatCount = sums.csat.reduce((a, b) => a + b, 0)
  const csatTotal = sums.csat.reduce((a, n, i) => a + n * (i + 1), 0)
  const perAnswer = (sum: number) => (sums.answers ? sum / sums.answers : null)
  return {
    day,
    productVersion,
    volume,
    shown,
    feedback,
    adversaryFeedback: sums.adversaryFeedback,
    trainingSignals: sums.trainingSignals,
    rates: {
      thumbsUp: perShown(volume.thumbs_up),
      thumbsDown: perShown(volume.thumbs_down),
      correction,
      taskCompletion: shown
        ? Math.max(0, 1 - (volume.agent_escalation + volume.session_abandon) / shown)
        : null,
    },
    correctionRateInBand:
      correction === null
        ? null
        : correction >= CORRECTION_RATE_BAND[0] && correction <= CORRECTION_RATE_BAND[1],
    csat: {
      count: csatCount,
      mean: csatCount ? csatTotal / csatCount : null,
      distribution: [...sums.csat],
    },
    escalationReasons: Object.fromEntries(sums.escalations),
    answers: {
      count: sums.answers,
      meanLength: perAnswer(sums.length),
      meanTypeTokenRatio: perAnswer(sums.typeTokenRatio),
      meanSpecificity: perAnswer(sums.specificity),
    },
  }
}
