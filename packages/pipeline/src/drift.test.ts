import { describe, expect, it } from 'vitest'
import { computeDrift, createDriftAccumulator, fillMissingDays } from './drift.ts'
import { type EventFields, makeEvent } from './testing/events.ts'

const DAY1 = '2026-11-20T10:00:00.000Z'
const DAY2 = '2026-11-21T10:00:00.000Z'
const at = (iso: string, fields: EventFields) =>
  makeEvent({ occurredAt: iso, receivedAt: iso, ...fields })

describe('computeDrift', () => {
  const events = [
    ...Array.from({ length: 100 }, (_, i) =>
      at(DAY1, {
        signal: 'response_shown',
        productVersion: i < 60 ? 'v1' : 'v2',
        response: 'Open Billing now.',
      }),
    ),
    ...Array.from({ length: 6 }, () => at(DAY1, { signal: 'thumbs_up', productVersion: 'v1' })),
    ...Array.from({ length: 4 }, () => at(DAY1, { signal: 'thumbs_down', productVersion: 'v2' })),
    at(DAY1, { signal: 'thumbs_down', userId: 'troll', productVersion: 'v2' }),
    at(DAY1, {
      signal: 'explicit_correction',
      correctionText: 'x'.repeat(30),
      productVersion: 'v1',
    }),
    at(DAY1, {
      signal: 'explicit_correction',
      correctionText: 'y'.repeat(30),
      productVersion: 'v2',
    }),
    at(DAY1, { signal: 'csat', csat: 5 }),
    at(DAY1, { signal: 'csat', csat: 2 }),
    at(DAY1, { signal: 'csat', csat: 2 }),
    at(DAY1, { signal: 'agent_escalation', escalationReason: 'wrong_answer' }),
    at(DAY1, { signal: 'agent_escalation', escalationReason: 'wrong_answer' }),
    at(DAY1, { signal: 'agent_escalation', escalationReason: 'other' }),
    at(DAY2, { signal: 'thumbs_down' }),
  ]
  const { byDay, byDayAndVersion } = computeDrift(events, { adversaries: new Set(['troll']) })

  it('gives one summary per day, oldest first, with volumes and rates per answer shown', () => {
    expect(byDay.map((d) => d.day)).toEqual(['2026-11-20', '2026-11-21'])
    const day = byDay[0]!
    expect(day.shown).toBe(100)
    expect(day.volume.thumbs_down).toBe(5)
    // 3 escalations, no abandons: 97 of 100 answers completed
    expect(day.rates).toEqual({
      thumbsUp: 0.06,
      thumbsDown: 0.05,
      correction: 0.02,
      taskCompletion: 0.97,
    })
    expect(day.correctionRateInBand).toBe(true)
    expect(day.feedback).toBe(events.length - 1 - 100)
    expect(byDay[1]!.rates.thumbsDown).toBeNull() // nothing shown that day
  })
  it('summarises CSAT and escalation reasons', () => {
    expect(byDay[0]!.csat).toEqual({ count: 3, mean: 3, distribution: [0, 2, 0, 0, 1] })
    expect(byDay[0]!.escalationReasons).toEqual({ wrong_answer: 2, other: 1 })
  })
  it('measures the answers shown', () => {
    expect(byDay[0]!.answers).toMatchObject({ count: 100, meanLength: 17, meanTypeTokenRatio: 1 })
    expect(byDay[0]!.answers.meanSpecificity).toBeCloseTo(1 / 3, 10)
  })
  it('counts adversarial feedback apart from training signals', () => {
    expect(byDay[0]!.adversaryFeedback).toBe(1)
    // 4 honest thumbs-down, 2 corrections, 3 CSAT, 3 escalations; not the troll, not thumbs-up
    expect(byDay[0]!.trainingSignals).toBe(12)
  })
  it('splits by product version, unstamped events as unknown', () => {
    const day1 = byDayAndVersion.filter((d) => d.day === '2026-11-20')
    expect(day1.map((d) => [d.productVersion, d.shown])).toEqual([
      ['unknown', 0],
      ['v1', 60],
      ['v2', 40],
    ])
    expect(day1.find((d) => d.productVersion === 'v2')!.rates.thumbsDown).toBeCloseTo(5 / 40, 10)
  })
  it('flags a correction rate outside the 1-3 % band', () => {
    const drift = createDriftAccumulator()
    for (let i = 0; i < 10; i++) drift.add(at(DAY1, { signal: 'response_shown' }))
    drift.add(at(DAY1, { signal: 'explicit_correction', correctionText: 'z'.repeat(30) }))
    expect(drift.byDay()[0]!.correctionRateInBand).toBe(false) // 10 %
  })
  it('counts adversaries named after the fact as if they had been given from the start', () => {
    const later = createDriftAccumulator({ byUser: true })
    for (const event of events.slice(0, 10)) later.add(event)
    const tail = later.fork() // a fork reads its parent's per-user tallies and adds its own
    for (const event of events.slice(10)) tail.add(event)
    const view = tail.withAdversaries(['troll', 'troll'])
    expect(view.byDay()).toEqual(byDay)
    expect(view.byDayAndVersion()).toEqual(byDayAndVersion)
    expect(view.withAdversaries(['troll']).byDay()).toEqual(byDay) // counted once
    expect(tail.byDay()[0]!.trainingSignals).toBe(13) // the original is left as it was
    expect(() => createDriftAccumulator().withAdversaries([])).toThrow(/byUser/)
  })
  it('adds another accumulator, its adversaries counted too, and leaves both alone', () => {
    const first = createDriftAccumulator({ byUser: true })
    const second = createDriftAccumulator({ byUser: true })
    // The answers (whose text sums are floats) in one, the feedback in the other.
    for (const event of events) (event.signal === 'response_shown' ? first : second).add(event)
    const view = first.plus(second).withAdversaries(['troll'])
    expect(view.byDay()).toEqual(byDay)
    expect(view.byDayAndVersion()).toEqual(byDayAndVersion)
    const alone = first.withAdversaries(['troll']).byDay()
    expect(alone).not.toEqual(byDay) // first and second are left as they were
    expect(first.withAdversaries(['troll']).byDay()).toEqual(alone)
  })
  it('makes a snapshot that gives the same accumulator back', () => {
    const drift = createDriftAccumulator({ byUser: true })
    for (const event of events) drift.add(event)
    const json = JSON.parse(JSON.stringify(drift.fork().snapshot()))
    const again = createDriftAccumulator({ byUser: true, from: json })
    expect(again.withAdversaries(['troll']).byDayAndVersion()).toEqual(byDayAndVersion)
    again.add(at(DAY2, { signal: 'response_shown' }))
    expect(again.byDay()[1]!.shown).toBe(1)
    expect(drift.byDay()[1]!.shown).toBe(0) // restored sums are copies
    const bad = { cells: [{ ...json.cells[0], csat: [1] }] }
    expect(() => createDriftAccumulator({ from: bad })).toThrow(/shape/)
  })
  it('forks: events added to the copy leave the original alone', () => {
    const drift = createDriftAccumulator()
    drift.add(at(DAY1, { signal: 'response_shown' }))
    const copy = drift.fork()
    copy.add(at(DAY1, { signal: 'thumbs_down' }))
    copy.add(at(DAY2, { signal: 'response_shown' }))
    expect(drift.byDay().map((d) => [d.day, d.shown, d.volume.thumbs_down])).toEqual([
      ['2026-11-20', 1, 0],
    ])
    expect(copy.byDay().map((d) => [d.day, d.shown, d.volume.thumbs_down])).toEqual([
      ['2026-11-20', 1, 1],
      ['2026-11-21', 1, 0],
    ])
  })
})

describe('fillMissingDays', () => {
  it('puts an empty day where nothing happened', () => {
    const { byDay } = computeDrift([
      at(DAY1, { signal: 'response_shown' }),
      at('2026-11-23T08:00:00.000Z', { signal: 'response_shown' }),
    ])
    const filled = fillMissingDays(byDay)
    expect(filled.map((d) => [d.day, d.shown])).toEqual([
      ['2026-11-20', 1],
      ['2026-11-21', 0],
      ['2026-11-22', 0],
      ['2026-11-23', 1],
    ])
    expect(filled[1]!.rates.thumbsUp).toBeNull()
    expect(filled[1]!.answers.meanLength).toBeNull()
    expect(fillMissingDays([])).toEqual([])
    const throughToday = fillMissingDays(byDay, { through: '2026-11-25' })
    expect(throughToday.map((d) => d.day).slice(-3)).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
    ])
    expect(fillMissingDays(byDay, { through: '2026-11-01' })).toHaveLength(4) // never cuts
    expect(() => fillMissingDays(byDay, { through: 'today' })).toThrow(/YYYY-MM-DD/)
  })
})
