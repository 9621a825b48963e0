// Drift alerts end to end on generated events: raw events → computeDrift → detectDriftAlerts,
// at the volume of a mid-size support bot (10,000 answers a day).
import type { StoredEvent } from '@tightloop/schema'
import { describe, expect, it } from 'vitest'
import { detectDriftAlerts } from './alerts.ts'
import { createDriftAccumulator, fillMissingDays } from './drift.ts'
import { seededRandom } from './testing/random.ts'
import { makeAnswer } from './testing/support-text.ts'

const START = Date.parse('2026-08-01T00:00:00Z')
const DAYS = 44
const SHOWN = 10_000
const PLANT_START = 30 // the trend begins on day 30 and takes 14 days (the last day is 43)

/**
 * Streams a day's events: answers shown, thumbs-up at a flat 6 %, thumbs-down at 4 %, CSAT on
 * 8 % of answers, escalations on 3 %. With `plant`, from day 30 on answers get up to 30 %
 * shorter and CSAT's mean falls from about 4.2 to 3.4 over 14 days.
 */
function* traffic(seed: number, plant: boolean): Generator<StoredEvent> {
  const random = seededRandom(seed)
  const answers = Array.from({ length: 500 }, () => makeAnswer(random))
  let n = 0
  for (let d = 0; d < DAYS; d++) {
    const progress = plant && d >= PLANT_START ? Math.min(1, (d - PLANT_START + 1) / 14) : 0
    const at = new Date(START + d * 86_400_000 + 43_200_000).toISOString()
    const base = { sessionId: 's', occurredAt: at, receivedAt: at, clientOccurredAt: at }
    for (let i = 0; i < SHOWN; i++) {
      n += 1
      const full = answers[Math.floor(random() * answers.length)]!
      const cut = full.lastIndexOf(' ', Math.round(full.length * (1 - 0.3 * progress)))
      const response = cut > 0 && progress > 0 ? full.slice(0, cut) : full
      const common = { ...base, requestId: `r${n}`, userId: `u${n % 5000}`, response }
      yield { ...common, eventId: `s${n}`, signal: 'response_shown' } as StoredEvent
      const r = random()
      if (r < 0.06) yield { ...common, eventId: `f${n}`, signal: 'thumbs_up' } as StoredEvent
      else if (r < 0.1) yield { ...common, eventId: `f${n}`, signal: 'thumbs_down' } as StoredEvent
      else if (r < 0.18) {
        // Mixture: happy 5s and 4s, unhappy 1s and 2s; the unhappy share grows with the trend.
        const unhappy = 0.1 + 0.27 * progress
        const score =
          random() < unhappy ? 1 + Math.floor(random() * 2) : 4 + Math.floor(random() * 2)
        yield { ...common, eventId: `f${n}`, signal: 'csat', csat: score } as StoredEvent
      } else if (r < 0.21) {
        yield {
          ...common,
          eventId: `f${n}`,
          signal: 'agent_escalation',
          escalationReason: random() < 0.5 ? 'wrong_answer' : 'needs_human',
        } as StoredEvent
      }
    }
  }
}

function alertsOf(seed: number, plant: boolean) {
  const drift = createDriftAccumulator()
  for (const event of traffic(seed, plant)) drift.add(event)
  const series = fillMissingDays(drift.byDay())
  return { series, alerts: detectDriftAlerts(series) }
}

describe('drift alerts on generated events', () => {
  it('raise nothing on clean traffic', () => {
    const { series, alerts } = alertsOf(11, false)
    expect(series).toHaveLength(DAYS)
    expect(series[10]!.answers.count).toBe(SHOWN)
    expect(alerts).toEqual([])
  })

  it('raise reward hacking within 3 days of a planted trend: 30 % shorter, thumbs-up flat, CSAT down', () => {
    for (const seed of [12, 13]) expectCaughtEarly(seed)
  }, 60_000)
})

function expectCaughtEarly(seed: number) {
  const { series, alerts } = alertsOf(seed, true)
  const last = series[DAYS - 1]!
  const first = series[PLANT_START]!
  // The plant is what the issue describes.
  expect(last.answers.meanLength! / first.answers.meanLength!).toBeLessThan(0.75)
  expect(Math.abs(last.rates.thumbsUp! / series[10]!.rates.thumbsUp! - 1)).toBeLessThan(0.1)
  expect(last.csat.mean!).toBeLessThan(series[10]!.csat.mean! - 0.5)
  const dayOf = (rule: string) =>
    series.findIndex((d) => alerts.some((a) => a.day === d.day && a.rule === rule))
  expect(alerts.every((a) => a.day >= first.day)).toBe(true)
  expect(dayOf('reward_hacking')).toBeGreaterThanOrEqual(PLANT_START)
  expect(dayOf('reward_hacking')).toBeLessThanOrEqual(PLANT_START + 2)
  expect(dayOf('guardrail_drift')).toBeLessThanOrEqual(PLANT_START + 2)
}
