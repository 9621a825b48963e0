import { describe, expect, it } from 'vitest'
import { PipelineInputError } from './errors.ts'
import { clockMs, eventTimeMs, isoWeekKey, isoWeekStartMs, toEpochMs, utcDayKey } from './time.ts'

const at = (iso: string) => Date.parse(iso)

describe('toEpochMs / clockMs', () => {
  it('reads dates, numbers and ISO strings alike', () => {
    const ms = at('2026-11-26T00:00:00Z')
    expect(toEpochMs(new Date(ms))).toBe(ms)
    expect(toEpochMs(ms)).toBe(ms)
    expect(toEpochMs('2026-11-26T00:00:00Z')).toBe(ms)
  })
  it('refuses a clock that names no instant', () => {
    expect(Number.isNaN(toEpochMs('yesterday'))).toBe(true)
    expect(Number.isNaN(toEpochMs(Number.POSITIVE_INFINITY))).toBe(true)
    expect(() => clockMs('yesterday')).toThrow(PipelineInputError)
    expect(() => clockMs(new Date(Number.NaN))).toThrow(/now is not a valid instant/)
  })
})

describe('eventTimeMs', () => {
  it('clamps a client clock running ahead to the server receipt', () => {
    const event = { occurredAt: '2030-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z' }
    expect(eventTimeMs(event)).toBe(at('2026-01-01T00:00:00Z'))
  })
  it('keeps an earlier occurredAt: feedback queued offline is as old as the answer', () => {
    const event = { occurredAt: '2025-12-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z' }
    expect(eventTimeMs(event)).toBe(at('2025-12-01T00:00:00Z'))
  })
  it('falls back to receivedAt, and is NaN without it', () => {
    expect(eventTimeMs({ occurredAt: 'bad', receivedAt: '2026-01-01T00:00:00Z' })).toBe(
      at('2026-01-01T00:00:00Z'),
    )
    expect(eventTimeMs({ occurredAt: '2026-01-01T00:00:00Z', receivedAt: 'bad' })).toBeNaN()
  })
})

describe('isoWeekKey', () => {
  // Reference values from Python's date.isocalendar().
  it.each([
    ['2026-11-26T12:00:00Z', '2026-W48'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2021-01-03T23:59:59Z', '2020-W53'],
    ['2026-12-31T00:00:00Z', '2026-W53'],
    ['2027-01-03T23:59:59.999Z', '2026-W53'],
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['1969-12-31T12:00:00Z', '1970-W01'],
  ])('%s is in %s', (iso, week) => {
    expect(isoWeekKey(at(iso))).toBe(week)
  })
  it('starts weeks on Monday 00:00 UTC', () => {
    expect(new Date(isoWeekStartMs(at('2026-11-29T23:59:59Z'))).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    )
    expect(new Date(isoWeekStartMs(at('2026-11-30T00:00:00Z'))).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    )
  })
  it('names UTC days', () => {
    expect(utcDayKey(at('2026-11-26T23:59:59Z'))).toBe('2026-11-26')
  })
})
