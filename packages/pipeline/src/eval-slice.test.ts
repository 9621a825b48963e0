import { describe, expect, it } from 'vitest'
import {
  EVAL_SLICE_RATE,
  evalSliceWeek,
  isInEvalSlice,
  isRequestInEvalSlice,
  mayConcernEvalSlice,
} from './eval-slice.ts'
import { makeEvent } from './testing/events.ts'
import { isoWeekKey } from './time.ts'

describe('frozen eval slice', () => {
  it('samples close to 5 % of answers in a week', () => {
    let members = 0
    const n = 40_000
    for (let i = 0; i < n; i++) if (isRequestInEvalSlice(`req-${i}`, '2026-W48')) members++
    expect(members / n).toBeGreaterThan(EVAL_SLICE_RATE - 0.005)
    expect(members / n).toBeLessThan(EVAL_SLICE_RATE + 0.005)
  })
  it('gives the same answer however often and in whatever order it is asked', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `req-${i}`)
    const first = ids.filter((id) => isRequestInEvalSlice(id, '2026-W48'))
    const reversed = [...ids].reverse().filter((id) => isRequestInEvalSlice(id, '2026-W48'))
    expect(reversed.reverse()).toEqual(first)
    expect(first).toEqual(ids.filter((id) => isRequestInEvalSlice(id, '2026-W48')))
  })
  it('draws a different sample each week and per salt', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `req-${i}`)
    const w48 = ids.filter((id) => isRequestInEvalSlice(id, '2026-W48'))
    const w49 = ids.filter((id) => isRequestInEvalSlice(id, '2026-W49'))
    const salted = ids.filter((id) => isRequestInEvalSlice(id, '2026-W48', { salt: 's3cret' }))
    expect(w49).not.toEqual(w48)
    expect(salted).not.toEqual(w48)
  })
  it('takes only response_shown events, by the week of their trusted time', () => {
    const shown = makeEvent({
      signal: 'response_shown',
      occurredAt: '2027-01-10T00:00:00Z', // client clock ahead; clamped to receipt
      receivedAt: '2027-01-03T12:00:00Z',
    })
    expect(evalSliceWeek(shown)).toBe('2026-W53')
    expect(isInEvalSlice(shown)).toBe(isRequestInEvalSlice(shown.requestId, '2026-W53'))
    expect(isInEvalSlice(shown, { rate: 1 })).toBe(true)
    expect(isInEvalSlice(makeEvent({ signal: 'thumbs_down' }), { rate: 1 })).toBe(false)
    expect(isInEvalSlice(shown, { rate: 0 })).toBe(false)
  })
  it('refuses a rate outside 0-1', () => {
    expect(() => isRequestInEvalSlice('r', '2026-W48', { rate: 5 })).toThrow(/rate/)
  })
  it('lets feedback early in a week match an answer held out the week before', () => {
    const monday = Date.parse('2026-11-30T03:00:00Z')
    const lastWeek = isoWeekKey(monday - 86_400_000)
    let id = ''
    for (let i = 0; !id; i++) {
      const candidate = `r-${i}`
      if (
        isRequestInEvalSlice(candidate, lastWeek) &&
        !isRequestInEvalSlice(candidate, isoWeekKey(monday))
      )
        id = candidate
    }
    expect(mayConcernEvalSlice(id, monday)).toBe(true)
    expect(mayConcernEvalSlice(id, monday + 86_400_000)).toBe(false) // Tuesday: past the grace
  })
})
