import { describe, expect, it } from 'vitest'
import { createReliabilityModel } from './reliability.ts'
import { runReliabilitySim } from './testing/reliability-sim.ts'

describe('createReliabilityModel', () => {
  const project = [
    { approved: 8, rejected: 2 },
    { approved: 0, rejected: 0 },
    { approved: 8, rejected: 2 },
  ]

  it('leaves a user with no reviews exactly at weight 1', () => {
    const model = createReliabilityModel(project)
    expect(model.baseRate).toBeCloseTo(0.8)
    expect(model.of(undefined)).toEqual({ approval: 0.8, reliability: 1, unreliable: false })
    expect(model.of({ approved: 0, rejected: 0 }).reliability).toBe(1)
  })

  it('lowers a user with rejections, drops one below the threshold, never boosts past 1', () => {
    const model = createReliabilityModel(project)
    const one = model.of({ approved: 1, rejected: 1 }) // (1.6 + 1) / 4 = 0.65 → 0.8125 of 0.8
    expect(one.approval).toBeCloseTo(0.65)
    expect(one.reliability).toBeCloseTo(0.8125)
    expect(one.unreliable).toBe(false)
    const two = model.of({ approved: 0, rejected: 2 }) // 1.6 / 4 = 0.4 → half the rate
    expect(two).toMatchObject({ reliability: 0, unreliable: true })
    expect(model.of({ approved: 20, rejected: 0 }).reliability).toBe(1)
  })

  it('judges nobody while nothing was approved or reviewed', () => {
    for (const tallies of [[], [{ approved: 0, rejected: 3 }]]) {
      const model = createReliabilityModel(tallies)
      expect(model.of({ approved: 0, rejected: 3 }).unreliable, JSON.stringify(tallies)).toBe(false)
    }
  })
})

describe('the reliability simulation (issue 19)', () => {
  it('halves careless users’ share of exported weight and costs honest users ≤ 5 %', () => {
    for (const seed of [1, 2, 3]) {
      const r = runReliabilitySim({ seed })
      expect(r.carelessShareFall, `seed ${seed}`).toBeGreaterThanOrEqual(0.5)
      expect(r.honestWeightFall, `seed ${seed}`).toBeLessThanOrEqual(0.05)
    }
  })

  it('does nothing for careless users without reviews: with none, the share stays', () => {
    const r = runReliabilitySim({ seed: 1, reviewRate: 0 })
    expect(r.carelessShareFall).toBeCloseTo(0, 6)
    expect(r.honestWeightFall).toBeCloseTo(0, 6)
  })
})
