import { SIGNALS } from '@tightloop/schema'
import { describe, expect, it } from 'vitest'
import { detectDriftAlerts, driftBands } from './alerts.ts'
import type { DriftSummary } from './drift.ts'
import { normal, seededRandom } from './testing/random.ts'

const START = Date.parse('2026-09-01T00:00:00Z')
const DAYS = 60
const SHOWN = 10_000 // answers a day: a mid-size support bot

interface Plant {
  /** Index of the first day of the trend. */
  start: number
  /** Days until the full effect. */
  span: number
}

/**
 * A daily series with sampling noise and a weekly rhythm. With `plant`, from `start` on the
 * answers get 30 % shorter and 25 % less specific over `span` days and CSAT falls from 4.1 to
 * 3.3, while the thumbs-up rate stays flat: the seed's reward-hacking symptom.
 */
function makeSeries(
  seed: number,
  plant?: Plant,
  fall: { csat: number; completion: number } = { csat: 0.8, completion: 0 },
): DriftSummary[] {
  const random = seededRandom(seed)
  return Array.from({ length: DAYS }, (_, d) => {
    const progress = plant && d >= plant.start ? Math.min(1, (d - plant.start + 1) / plant.span) : 0
    const weekly = 1 + 0.005 * Math.sin((2 * Math.PI * d) / 7)
    const thumbsUp = 0.06 + normal(random) * Math.sqrt((0.06 * 0.94) / SHOWN)
    const csatMean = 4.1 - fall.csat * progress + normal(random) * 0.03
    const completion = 0.9 - fall.completion * progress + normal(random) * 0.003
    const volume = Object.fromEntries(SIGNALS.map((s) => [s, 0])) as DriftSummary['volume']
    volume.response_shown = SHOWN
    volume.thumbs_up = Math.round(thumbsUp * SHOWN)
    return {
      day: new Date(START + d * 86_400_000).toISOString().slice(0, 10),
      productVersion: null,
      volume,
      shown: SHOWN,
      feedback: 1_500,
      adversaryFeedback: 10,
      trainingSignals: 1_200,
      rates: { thumbsUp, thumbsDown: 0.04, correction: 0.02, taskCompletion: completion },
      correctionRateInBand: true,
      csat: { count: 800, mean: csatMean, distribution: [0, 0, 0, 0, 0] },
      escalationReasons: {},
      answers: {
        count: SHOWN,
        meanLength: 520 * weekly * (1 - 0.3 * progress) * (1 + normal(random) * 0.006),
        meanTypeTokenRatio: 0.62 + normal(random) * 0.003,
        meanSpecificity: 0.2 * (1 - 0.25 * progress) * (1 + normal(random) * 0.006),
      },
    }
  })
}

describe('detectDriftAlerts', () => {
  it('raises nothing on clean series', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(detectDriftAlerts(makeSeries(seed))).toEqual([])
  })

  it('catches a planted reward-hacking trend within 3 days of its start, and not before', () => {
    const plant = { start: 40, span: 14 }
    for (const seed of [1, 2, 3, 4, 5]) {
      const series = makeSeries(seed, plant)
      const alerts = detectDriftAlerts(series)
      const firstDay = (match: (a: (typeof alerts)[number]) => boolean) =>
        series.findIndex((d) => alerts.some((a) => a.day === d.day && match(a)))
      expect(alerts.every((a) => a.day >= series[plant.start]!.day)).toBe(true)
      const rewardHacking = firstDay((a) => a.rule === 'reward_hacking')
      const shorter = firstDay((a) => a.rule === 'guardrail_drift' && a.metric === 'meanLength')
      expect(rewardHacking).toBeGreaterThanOrEqual(plant.start)
      expect(rewardHacking).toBeLessThanOrEqual(plant.start + 2)
      expect(shorter).toBeLessThanOrEqual(plant.start + 2)
    }
  })

  it('says which rule fired, with the numbers', () => {
    const series = makeSeries(1, { start: 40, span: 14 })
    const alert = detectDriftAlerts(series).find((a) => a.rule === 'reward_hacking')!
    expect(alert.evidence.csatZ).toBeLessThan(-2)
    expect(Math.abs(alert.evidence.thumbsUpZ!)).toBeLessThanOrEqual(2)
    expect(alert.message).toMatch(
      /^CSAT fell to \d\.\d+ \(-\d.*σ from 4\.\d+\) while the thumbs-up rate held/,
    )
    const length = detectDriftAlerts(series).find((a) => a.metric === 'meanLength')!
    expect(length.evidence.z).toBeLessThan(-2)
    expect(length.message).toMatch(/^meanLength \d+(\.\d+)? over the last 3 days is -\d/)
  })

  it('does not call a CSAT fall reward hacking when thumbs-up fell with it', () => {
    const series = makeSeries(2, { start: 40, span: 14 }).map((d, i) =>
      i >= 40
        ? { ...d, rates: { ...d.rates, thumbsUp: 0.06 * (1 - Math.min(0.9, 0.15 * (i - 39))) } }
        : d,
    )
    const alerts = detectDriftAlerts(series)
    expect(alerts.some((a) => a.rule === 'reward_hacking')).toBe(false)
    expect(alerts.some((a) => a.rule === 'guardrail_drift')).toBe(true)
  })

  it('calls a fall of task completion with thumbs-up flat reward hacking too', () => {
    const plant = { start: 40, span: 14 }
    const series = makeSeries(5, plant, { csat: 0, completion: 0.2 })
    const alerts = detectDriftAlerts(series).filter((a) => a.rule === 'reward_hacking')
    expect(alerts.length).toBeGreaterThan(0)
    const first = series.findIndex((d) => d.day === alerts[0]!.day)
    expect(first).toBeGreaterThanOrEqual(plant.start)
    expect(first).toBeLessThanOrEqual(plant.start + 2)
    expect(alerts[0]!.message).toMatch(/^task completion fell to 0\.8\d+/)
    expect(alerts[0]!.evidence.taskCompletionZ).toBeLessThan(-2)
    expect(Math.abs(alerts[0]!.evidence.csatZ!)).toBeLessThan(2)
  })

  it('floors σ at the sampling error, so a baseline that came out flat by chance does not fire', () => {
    // 14 baseline days of exactly 4.0 from 100 ratings each (σ of the days: 0); then 3.9.
    const series = makeSeries(6).map((d, i) => ({
      ...d,
      csat: {
        count: 100,
        mean: i < 57 ? 4 : 3.9,
        distribution: [5, 5, 10, 30, 50] as [number, number, number, number, number],
      },
    }))
    // Sampling error of a day's mean here ≈ 1.1 / √100 = 0.11: a 0.1 dip is noise.
    expect(detectDriftAlerts(series).filter((a) => a.rule === 'reward_hacking')).toEqual([])
    const fell = series.map((d, i) => (i >= 57 ? { ...d, csat: { ...d.csat, mean: 3.6 } } : d))
    expect(detectDriftAlerts(fell).some((a) => a.rule === 'reward_hacking')).toBe(true)
  })

  it('pools the current window by sample size: a short morning cannot fire on its own', () => {
    const series = makeSeries(7)
    const today = series[DAYS - 1]!
    // Only 40 answers so far today, oddly short ones.
    series[DAYS - 1] = {
      ...today,
      shown: 40,
      answers: { ...today.answers, count: 40, meanLength: today.answers.meanLength! * 0.7 },
    }
    expect(detectDriftAlerts(series)).toEqual([])
    // The same shortfall over whole days does fire.
    for (const i of [DAYS - 3, DAYS - 2, DAYS - 1]) {
      const d = series[i]!
      series[i] = { ...d, answers: { ...d.answers, count: SHOWN, meanLength: 520 * 0.93 } }
    }
    expect(detectDriftAlerts(series).some((a) => a.metric === 'meanLength')).toBe(true)
  })

  it('warns about fewer than 500 validated events in 30 days', () => {
    const series = makeSeries(3).map((d) => ({ ...d, trainingSignals: 16 }))
    const alerts = detectDriftAlerts(series).filter((a) => a.rule === 'low_volume')
    expect(alerts).toHaveLength(DAYS - 29) // from the first full month on
    expect(alerts[0]!.evidence).toEqual({ validated: 480, threshold: 500 })
    const known = detectDriftAlerts(makeSeries(3).slice(0, 5), { validatedLast30Days: 120 })
    expect(known.map((a) => [a.rule, a.day])).toEqual([['low_volume', '2026-09-05']])
  })

  it('warns when over 10 % of a week of feedback comes from flagged adversaries', () => {
    const series = makeSeries(4).map((d, i) => (i >= 50 ? { ...d, adversaryFeedback: 400 } : d))
    const alerts = detectDriftAlerts(series).filter((a) => a.rule === 'adversarial_traffic')
    // 7-day share passes 10 % once 3 heavy days are in the window: (3·400 + 4·10) / 10,500
    expect(alerts[0]!.day).toBe(series[52]!.day)
    expect(alerts[0]!.evidence.share).toBeCloseTo(1_240 / 10_500, 10)
  })
})

describe('driftBands', () => {
  it('draws the band the rules use: the planted trend leaves it, a clean series stays inside', () => {
    const clean = driftBands(makeSeries(1)).meanLength
    expect(clean.slice(0, 16).every((p) => p.lower === null)).toBe(true) // no baseline yet
    const drawn = clean.filter((p) => p.lower !== null)
    expect(drawn).toHaveLength(DAYS - 16)
    expect(drawn.every((p) => p.current! >= p.lower! && p.current! <= p.upper!)).toBe(true)

    const series = makeSeries(1, { start: 40, span: 14 })
    const bands = driftBands(series)
    const outside = bands.meanLength.findIndex((p) => p.lower !== null && p.current! < p.lower)
    const alerts = detectDriftAlerts(series).filter((a) => a.metric === 'meanLength')
    expect(series[outside]!.day).toBe(alerts[0]!.day)
    const csatOutside = bands.csat.findIndex((p) => p.lower !== null && p.current! < p.lower)
    expect(csatOutside).toBeGreaterThanOrEqual(40)
    expect(bands.thumbsUpRate[59]!.current).toBeGreaterThan(bands.thumbsUpRate[59]!.lower!)
  })
})
