import { describe, expect, it } from 'vitest'
import { parseRetryAfter, RETRY_AFTER_MAX_MS, retryDelay } from './retry.ts'

describe('retryDelay', () => {
  it('doubles from the start delay up to the cap', () => {
    const middle = () => 0.5 // no jitter
    expect([0, 1, 2, 3].map((n) => retryDelay(n, 2_000, 300_000, middle))).toEqual([
      2_000, 4_000, 8_000, 16_000,
    ])
    expect(retryDelay(20, 2_000, 300_000, middle)).toBe(300_000)
  })

  it('jitters by ±50 %', () => {
    expect(retryDelay(1, 2_000, 300_000, () => 0)).toBe(2_000)
    expect(retryDelay(1, 2_000, 300_000, () => 0.999_999)).toBeCloseTo(6_000, 0)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 26, 12)

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('1.5', now)).toBe(1_500)
  })

  it('reads an HTTP date', () => {
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000)
  })

  it('ignores what is missing, unreadable or past', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter(new Date(now - 1_000).toUTCString(), now)).toBeUndefined()
  })

  it('caps a wait of more than an hour', () => {
    expect(parseRetryAfter('86400', now)).toBe(RETRY_AFTER_MAX_MS)
  })
})
