// The eval gate: promote a candidate model only if accuracy, safety and latency all hold.
//
// Failure mode prevented: shipping a model that is more accurate but hallucinates more. The
// hallucination check blocks promotion on its own, whatever accuracy did.
import { PipelineInputError } from './errors.ts'

/** Eval results of one model on the frozen eval slice. */
export interface ModelMetrics {
  /** Share of eval answers judged correct, 0–1. */
  accuracy: number
  /** Share of eval answers with a hallucination, 0–1. */
  hallucinationRate: number
  /** Median latency in milliseconds. */
  p50LatencyMs: number
}

/** Thresholds of the gate. */
export interface GateOptions {
  /** Largest accuracy drop tolerated (absolute); default 0.005. */
  maxAccuracyDrop?: number
  /** Largest hallucination-rate rise tolerated (absolute); default 0: no rise at all. */
  maxHallucinationIncrease?: number
  /** Largest p50 latency as a multiple of the baseline's; default 1.10. */
  maxLatencyRatio?: number
}

/** Name of each gate check. */
export type GateCheckName = 'accuracy' | 'hallucination_rate' | 'p50_latency'

/** One check: what was measured, the bound it had to meet, and why it passed or not. */
export interface GateCheck {
  name: GateCheckName
  passed: boolean
  actual: number
  threshold: number
  message: string
}

/** The gate's decision with every check behind it. */
export interface GateDecision {
  promote: boolean
  checks: GateCheck[]
}

/**
 * Default thresholds: the seed's gate.
 *
 * @example gateModel(candidate, baseline, { ...DEFAULT_GATE_OPTIONS, maxLatencyRatio: 1.2 })
 */
export const DEFAULT_GATE_OPTIONS: Readonly<Required<GateOptions>> = Object.freeze({
  maxAccuracyDrop: 0.005,
  maxHallucinationIncrease: 0,
  maxLatencyRatio: 1.1,
})

// Metrics are decimal fractions written by people: 0.9 - 0.005 is 0.8950000000000001 in
// binary, and a candidate at exactly 0.895 must pass.
const TOLERANCE = 1e-9

/**
 * Decides whether `candidate` may replace `baseline`: accuracy ≥ baseline − 0.005,
 * hallucination rate not above the baseline's, p50 latency ≤ 1.10 × baseline. Returns every
 * check, not just the verdict. Throws `PipelineInputError` (`invalid_metric` /
 * `invalid_option`) on a missing, non-finite or out-of-range number.
 *
 * @example
 * gateModel(
 *   { accuracy: 0.91, hallucinationRate: 0.03, p50LatencyMs: 800 },
 *   { accuracy: 0.9, hallucinationRate: 0.02, p50LatencyMs: 790 },
 * ).promote // false: hallucination rate went up
 */
export function gateModel(
  candidate: ModelMetrics,
  baseline: ModelMetrics,
  options: GateOptions = {},
): GateDecision {
  readMetrics(candidate, 'candidate')
  readMetrics(baseline, 'baseline')
  const { maxAccuracyDrop, maxHallucinationIncrease, maxLatencyRatio } = {
    ...DEFAULT_GATE_OPTIONS,
    ...options,
  }
  requireOption('maxAccuracyDrop', maxAccuracyDrop)
  requireOption('maxHallucinationIncrease', maxHallucinationIncrease)
  requireOption('maxLatencyRatio', maxLatencyRatio)

  const accuracyFloor = baseline.accuracy - maxAccuracyDrop
  const hallucinationCeiling = baseline.hallucinationRate + maxHallucinationIncrease
  const latencyCeiling = baseline.p50LatencyMs * maxLatencyRatio
  const checks: GateCheck[] = [
    check(
      'accuracy',
      candidate.accuracy >= accuracyFloor - TOLERANCE,
      candidate.accuracy,
      accuracyFloor,
      `accuracy ${fmt(candidate.accuracy)} vs floor ${fmt(accuracyFloor)} (baseline ${fmt(baseline.accuracy)} − ${fmt(maxAccuracyDrop)})`,
    ),
    check(
      'hallucination_rate',
      candidate.hallucinationRate <= hallucinationCeiling + TOLERANCE,
      candidate.hallucinationRate,
      hallucinationCeiling,
      `hallucination rate ${fmt(candidate.hallucinationRate)} vs ceiling ${fmt(hallucinationCeiling)} (baseline ${fmt(baseline.hallucinationRate)})`,
    ),
    check(
      'p50_latency',
      candidate.p50LatencyMs <= latencyCeiling + TOLERANCE,
      candidate.p50LatencyMs,
      latencyCeiling,
      `p50 latency ${fmt(candidate.p50LatencyMs)} ms vs ceiling ${fmt(latencyCeiling)} ms (${fmt(maxLatencyRatio)} × baseline ${fmt(baseline.p50LatencyMs)} ms)`,
    ),
  ]
  return { promote: checks.every((c) => c.passed), checks }
}

function check(
  name: GateCheckName,
  passed: boolean,
  actual: number,
  threshold: number,
  detail: string,
): GateCheck {
  return { name, passed, actual, threshold, message: `${passed ? 'pass' : 'FAIL'}: ${detail}` }
}

function readMetrics(metrics: ModelMetrics, who: string): void {
  if (typeof metrics !== 'object' || metrics === null) {
    throw new PipelineInputError('invalid_metric', `${who} metrics must be an object`)
  }
  requireMetric(who, 'accuracy', metrics.accuracy, 1)
  requireMetric(who, 'hallucinationRate', metrics.hallucinationRate, 1)
  requireMetric(who, 'p50LatencyMs', metrics.p50LatencyMs, Number.POSITIVE_INFINITY)
}

function requireMetric(who: string, field: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PipelineInputError(
      'invalid_metric',
      `${who}.${field} must be a finite number, got ${describe(value)}`,
    )
  }
  if (value < 0 || value > max) {
    const range = max === 1 ? 'between 0 and 1' : 'at least 0'
    throw new PipelineInputError('invalid_metric', `${who}.${field} must be ${range}, got ${value}`)
  }
}

function requireOption(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PipelineInputError(
      'invalid_option',
      `${field} must be a finite number ≥ 0, got ${describe(value)}`,
    )
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  return String(value)
}

function fmt(n: number): string {
  return Number(n.toPrecision(6)).toString()
}
