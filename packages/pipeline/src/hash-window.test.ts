import { describe, expect, it } from 'vitest'
import { createHashWindow } from './hash-window.ts'

/** A small deterministic PRNG so collisions in the table's low bits actually happen. */
function lcg(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state
  }
}

describe('createHashWindow', () => {
  it('reports duplicates', () => {
    const window = createHashWindow(10)
    expect(window.add(1, 2)).toBe(true)
    expect(window.add(1, 2)).toBe(false)
    expect(window.add(2, 2)).toBe(true) // same low word, other key
    expect(window.has(2, 2)).toBe(true)
    expect(window.size).toBe(2)
  })
  it('forgets the oldest key first once full', () => {
    const window = createHashWindow(3)
    for (const k of [1, 2, 3, 4]) window.add(0, k)
    expect(window.has(0, 1)).toBe(false)
    expect([2, 3, 4].every((k) => window.has(0, k))).toBe(true)
    expect(window.evicted).toBe(1)
    expect(window.size).toBe(3)
  })
  it('matches a reference FIFO set through growth, wrap-around and evictions', () => {
    const capacity = 3_000
    const window = createHashWindow(capacity)
    const reference: string[] = []
    const held = new Set<string>()
    const next = lcg(7)
    for (let i = 0; i < 40_000; i++) {
      // Keys drawn from a small space, low words crowded into few slots: many hits and
      // collisions, the cases backward-shift deletion must get right.
      const hi = next() % 5
      const lo = (next() % 3_000) * 1024
      const key = `${hi}:${lo}`
      const isNew = !held.has(key)
      expect(window.add(hi, lo)).toBe(isNew)
      if (isNew) {
        reference.push(key)
        held.add(key)
        if (reference.length > capacity) held.delete(reference.shift()!)
      }
    }
    expect(window.size).toBe(held.size)
    for (const key of held) {
      const [hi, lo] = key.split(':').map(Number)
      expect(window.has(hi!, lo!)).toBe(true)
    }
  })
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createHashWindow(0)).toThrow(RangeError)
    expect(() => createHashWindow(1.5)).toThrow(RangeError)
  })
})
