// Axis ranges, ticks and labels of the charts: whole UTC days on x, whole numbers for counts,
// and as many decimals as the tick step needs, so no two labels read the same.
import type { ChartSpec } from './charts.ts'

/** A day in uPlot's time unit (seconds). */
export const DAY_S = 86_400
/** Tick steps on x, in days: never less than a day, since every point is one UTC day. */
const DAY_STEPS = [1, 2, 3, 7, 14, 30, 60, 91, 182, 365]
/** Tick steps of a count axis: whole numbers only (a count of 1.5 answers means nothing). */
export const COUNT_INCRS = [1, 2, 5]
  .flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e))
  .sort((a, b) => a - b)
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * The x range: half a day either side of the first and last day, so one day of data is a
 * point on its own date rather than a degenerate range uPlot would widen to years.
 *
 * @example dayRange([1_796_083_200]) // [1_796_040_000, 1_796_126_400]
 */
export function dayRange(x: readonly number[]): [number, number] {
  if (x.length === 0) {
    const today = Math.floor(Date.now() / 1000 / DAY_S) * DAY_S
    return [today - DAY_S / 2, today + DAY_S / 2]
  }
  return [x[0]! - DAY_S / 2, x.at(-1)! + DAY_S / 2]
}

/**
 * Ticks on whole UTC days in `[min, max]`, at most `maxTicks` of them.
 *
 * @example daySplits(0, 10 * DAY_S, 4) // [0, 3 days, 6 days, 9 days] in seconds
 */
export function daySplits(min: number, max: number, maxTicks: number): number[] {
  const first = Math.ceil(min / DAY_S)
  const last = Math.floor(max / DAY_S)
  const span = last - first + 1
  const step = DAY_STEPS.find((s) => Math.ceil(span / s) <= Math.max(1, maxTicks)) ?? 365
  const out: number[] = []
  for (let d = first; d <= last; d += step) out.push(d * DAY_S)
  return out
}

/**
 * Labels of day ticks, in UTC: "Nov 26"; the first tick and the first of each new year carry
 * the year.
 *
 * @example dayLabels([1_796_083_200]) // ['Dec 1, 2026']
 */
export function dayLabels(splits: readonly number[]): string[] {
  let year: number | undefined
  return splits.map((t) => {
    const date = new Date(t * 1000)
    const label = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`
    if (date.getUTCFullYear() === year) return label
    year = date.getUTCFullYear()
    return `${label}, ${year}`
  })
}

/**
 * The y range of a count chart: from 0 to at least 1, so one small day still has an axis.
 *
 * @example countRange(2) // [0, 2.2]
 */
export function countRange(max: number | null): [number, number] {
  return [0, max !== null && Number.isFinite(max) && max > 0 ? Math.max(1, max * 1.1) : 1]
}

/** Decimals that write `step` exactly (0.05 → 2, 2.5 → 1, 10 → 0). */
function decimalsOf(step: number): number {
  for (let d = 0; d < 10; d++) {
    const scaled = step * 10 ** d
    if (Math.abs(Math.round(scaled) - scaled) < 1e-6 * Math.max(1, scaled)) return d
  }
  return 10
}

/**
 * Axis labels of y ticks `step` apart: counts as whole numbers, other values with the
 * decimals the step needs, so neighbouring ticks never share a label.
 *
 * @example tickLabels([0, 0.005, 0.01], 0.005, 'percent') // ['0 %', '0.5 %', '1 %']
 */
export function tickLabels(
  splits: readonly number[],
  step: number,
  format: ChartSpec['format'],
): string[] {
  if (format === 'count') return splits.map((v) => Math.round(v).toLocaleString('en'))
  const scale = format === 'percent' ? 100 : 1
  const decimals = decimalsOf(Math.abs(step) * scale || 1)
  return splits.map((v) => {
    const text = Number((v * scale).toFixed(decimals)).toString()
    return format === 'percent' ? `${text} %` : text
  })
}

/**
 * The y range of a rate: from 0, and no higher than 100 % unless a value is (a thin day's
 * late feedback can read 400 %), so one day of 90 % does not draw an axis up to 150 %.
 *
 * @example rateRange(0.9) // [0, 1]
 */
export function rateRange(max: number | null): [number, number] {
  if (max === null || !Number.isFinite(max) || max <= 0) return [0, 0.01]
  return [0, max <= 1 ? Math.min(1, max * 1.2) : max * 1.1]
}
