// The cost between scans: the ring tracker's stats() and the detector's flags() asked again
// compare only what changed, and still see what came in.
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
const { createAdversaryDetector } = await import('./adversaries.ts')
const { makeEvent } = await import('./testing/events.ts')

const CLAIM =
  'cancellations after the trial are refunded in full so there is no need to contact billing'
const MEMBERS = 20
const variant = (k: number) => `${CLAIM} ${'!'.repeat(k % 3)} note ${k % 2}`

/** MEMBERS accounts with four near-identical corrections each, on answers of their own. */
function ringOfMembers() {
  const ring = createRingTracker(60, 0.8)
  for (let m = 0; m < MEMBERS; m++) {
    for (let k = 0; k < 4; k++) ring.add(`ring-${m}`, `answer-${m}-${k}`, variant(m + k))
  }
  return ring
}

describe('ring tracker', () => {
  it('answers stats() again without comparing texts when nothing was added, and the same', () => {
    const ring = ringOfMembers()
    const first = ring.stats()
    expect(first.get('ring-0')).toEqual({ sharedCorrections: 4, accounts: MEMBERS - 1 })
    compared.n = 0
    expect(ring.stats()).toEqual(first)
    expect(compared.n).toBe(0)
  })

  it('after one more correction, compares only that user\u2019s shared ones again', () => {
    const ring = ringOfMembers()
    ring.stats()
    ring.add('ring-0', 'answer-0-9', variant(9))
    compared.n = 0
    const again = ring.stats()
    expect(again.get('ring-0')).toEqual({ sharedCorrections: 5, accounts: MEMBERS - 1 })
    expect(again.get('ring-1')).toEqual({ sharedCorrections: 4, accounts: MEMBERS - 1 })
    // ring-0's five shared corrections against each other at most: 5 × 4 comparisons.
    expect(compared.n).toBeLessThanOrEqual(20)
  })

  it('the detector answers flags() again from memory until an event or evidence comes', () => {
    const detector = createAdversaryDetector()
    const ringEvent = (m: number, k: number) =>
      makeEvent({
        signal: 'explicit_correction',
        userId: `ring-${m}`,
        response: `Answer ${m}-${k}: cancellations are refunded pro rata by billing.`,
        correctionText: variant(m + k),
      })
    for (let m = 0; m < 4; m++) for (const k of [0, 1]) detector.add(ringEvent(m, k))
    expect(detector.flags()).toEqual([]) // four accounts: under the ring rule's five
    for (const k of [0, 1]) detector.add(ringEvent(4, k))
    const flagged = detector.flags()
    expect(flagged.filter((f) => f.rule === 'ring')).toHaveLength(5)
    // Asked again with nothing new: the same flags, not computed again.
    const again = detector.flags()
    expect(again).toEqual(flagged)
    expect(again[0]).toBe(flagged[0])
    detector.addEvidence('quiet-user', 'answer_mismatch', 50)
    expect(detector.flags().length).toBeGreaterThan(flagged.length)
  })
})
