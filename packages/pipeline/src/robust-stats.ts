// Small statistics: median and MAD (robust to the outliers we hunt), mean and deviation.

/**
 * Scales a MAD to a standard deviation for normally distributed data.
 *
 * @example const sigma = MAD_TO_SIGMA * medianAbsoluteDeviation(values)
 */
export const MAD_TO_SIGMA = 1.4826

/**
 * Median of a list (NaN when empty). Does not modify its input.
 *
 * @example median([3, 1, 2, 10]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Median absolute deviation from the median (NaN when empty).
 *
 * @example medianAbsoluteDeviation([1, 2, 3, 4, 100]) // 1
 */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values)
  return median(values.map((v) => Math.abs(v - center)))
}

/**
 * Arithmetic mean (NaN when empty).
 *
 * @example mean([1, 2, 3]) // 2
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/**
 * Sample standard deviation (n − 1; NaN with fewer than two values).
 *
 * @example standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) // ≈ 2.14
 */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN
  const m = mean(values)
  let sum = 0
  for (const v of values) sum += (v - m) ** 2
  return Math.sqrt(sum / (values.length - 1))
}
