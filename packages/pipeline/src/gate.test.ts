import { describe, expect, it } from 'vitest'
import { PipelineInputError } from './errors.ts'
import { gateModel, type ModelMetrics } from './gate.ts'

const baseline: ModelMetrics = { accuracy: 0.9, hallucinationRate: 0.02, p50LatencyMs: 800 }
const failed = (candidate: ModelMetrics, options = {}) =>
  gateModel(candidate, baseline, options)
    .checks.filter((c) => !c.passed)
    .map((c) => c.name)

describe('gateModel', () => {
  it('promotes a model that holds every bound, and reports each check', () => {
    const decision = gateModel(
      { accuracy: 0.91, hallucinationRate: 0.02, p50LatencyMs: 850 },
      baseline,
    )
    expect(decision.promote).toBe(true)
    expect(decision.checks.map((c) => c.name)).toEqual([
      'accuracy',
      'hallucination_rate',
      'p50_latency',
    ])
    expect(decision.checks[0]).toMatchObject({ actual: 0.91, passed: true })
    expect(decision.checks[0]!.threshold).toBeCloseTo(0.895, 12)
    expect(decision.checks[2]!.threshold).toBeCloseTo(880, 9)
    expect(decision.checks[0]!.message).toMatch(/^pass: accuracy 0.91 vs floor 0.895/)
  })
  it('accepts accuracy exactly 0.005 below and refuses anything lower', () => {
    expect(failed({ ...baseline, accuracy: 0.895 })).toEqual([])
    expect(failed({ ...baseline, accuracy: 0.8949 })).toEqual(['accuracy'])
  })
  it('blocks any hallucination rise, even when accuracy improved', () => {
    const decision = gateModel(
      { accuracy: 0.99, hallucinationRate: 0.021, p50LatencyMs: 700 },
      baseline,
    )
    expect(decision.promote).toBe(false)
    expect(decision.checks[1]).toMatchObject({ name: 'hallucination_rate', passed: false })
    expect(decision.checks[1]!.message).toMatch(/^FAIL/)
  })
  it('accepts p50 latency up to 1.10 × the baseline', () => {
    expect(failed({ ...baseline, p50LatencyMs: 880 })).toEqual([])
    expect(failed({ ...baseline, p50LatencyMs: 880.5 })).toEqual(['p50_latency'])
  })
  it('reports every failing check at once', () => {
    expect(failed({ accuracy: 0.5, hallucinationRate: 0.5, p50LatencyMs: 5000 })).toHaveLength(3)
  })
  it('takes other thresholds', () => {
    expect(
      failed({ ...baseline, hallucinationRate: 0.025 }, { maxHallucinationIncrease: 0.01 }),
    ).toEqual([])
    expect(failed({ ...baseline, p50LatencyMs: 1000 }, { maxLatencyRatio: 1.25 })).toEqual([])
  })
  it('refuses metrics that are missing, not finite or out of range, naming the field', () => {
    const bad = (candidate: unknown) => () => gateModel(candidate as ModelMetrics, baseline)
    expect(bad({ ...baseline, accuracy: Number.NaN })).toThrow(
      /candidate.accuracy must be a finite number, got NaN/,
    )
    expect(bad({ ...baseline, accuracy: '0.9' })).toThrow(/candidate.accuracy .* got "0.9"/)
    expect(bad({ ...baseline, p50LatencyMs: Number.POSITIVE_INFINITY })).toThrow(/p50LatencyMs/)
    expect(bad({ ...baseline, hallucinationRate: 1.5 })).toThrow(/between 0 and 1/)
    expect(bad({ accuracy: 0.9, p50LatencyMs: 800 })).toThrow(/hallucinationRate .* undefined/)
    expect(bad(null)).toThrow(/candidate metrics must be an object/)
    expect(() => gateModel(baseline, { ...baseline, p50LatencyMs: -1 })).toThrow(
      /baseline.p50LatencyMs/,
    )
    try {
      bad({ ...baseline, accuracy: Number.NaN })()
    } catch (error) {
      expect(error).toBeInstanceOf(PipelineInputError)
      expect((error as PipelineInputError).code).toBe('invalid_metric')
    }
  })
  it('refuses bad thresholds', () => {
    expect(() => gateModel(baseline, baseline, { maxLatencyRatio: Number.NaN })).toThrow(
      /maxLatencyRatio/,
    )
  })
})
