// The ring tracker's cost between scans: stats() asked again compares only what changed.
import { describe, expect, it, vi } from 'vitest'

const compared = vi.hoisted(() => ({ n: 0 }))
vi.mock('fastest-levenshtein', async (original) => {
  const real = await original<typeof import('fastest-levenshtein')>()
  return {
    ...real,
    distance: (a: string, b: string) => {
      compared.n += 1
      return real.distance(a, b)
    },
  }
})
const { createRingTracker } = await import('./adversary-ring.ts')

const CLAIM =
  'cancellations after the trial are refunded in full so there is no need to contact billing'
const MEMBERS = 20
const variant = (k: number) => `${CLAIM} ${'!'.repeat(k % 3)} note ${k % 2}`

describe('ring tracker', () => {
  it('answers stats() again without comparing texts when nothing was added, and the same', () => {
    const ring = createRingTracker(60, 0.8)
    for (let m = 0; m < MEMBERS; m++) {
      for (let k = 0; k < 4; k++) ring.add(`ring-${m}`, `answer-${m}-${k}`, variant(m + k))
    }
    const first = ring.stats()
    expect(first.get('ring-0')).toEqual({ sharedCorrections: 4, accounts: MEMBERS - 1 })
    compared.n = 0
    expect(ring.stats()).toEqual(first)
    expect(compared.n).toBe(0)
  })

  it('after one more correction, compares only that user\u2019s shared ones again', () => {
    const ring = createRingTracker(60, 0.8)
    for (let m = 0; m < MEMBERS; m++) {
      for (let k = 0; k < 4; k++) ring.add(`ring-${m}`, `answer-${m}-${k}`, variant(m + k))
    }
    ring.stats()
    ring.add('ring-0', 'answer-0-9', variant(9))
    compared.n = 0
    const again = ring.stats()
    expect(again.get('ring-0')).toEqual({ sharedCorrections: 5, accounts: MEMBERS - 1 })
    expect(again.get('ring-1')).toEqual({ sharedCorrections: 4, accounts: MEMBERS - 1 })
    // ring-0's five shared corrections against each other at most: 5 × 4 comparisons.
    expect(compared.n).toBeLessThanOrEqual(20)
  })
})
