// Rolling-window counts for the adversary rules: the most a user did in any N consecutive days.
import { DAY_MS } from './time.ts'

/**
 * The UTC day number of an instant (days since the epoch), the key of per-day counts.
 *
 * @example utcDayNumber(Date.parse('1970-01-02T05:00:00Z')) // 1
 */
export function utcDayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

/**
 * The largest sum of `perDay` over any `days` consecutive days (a rolling window). Runs in
 * O(k log k) for k active days, so a user active on every day of a year costs microseconds.
 *
 * @example peakRollingSum(new Map([[10, 50], [12, 50], [20, 5]]), 7) // 100
 */
export function peakRollingSum(perDay: ReadonlyMap<number, number>, days: number): number {
  const keys = [...perDay.keys()].sort((a, b) => a - b)
  let peak = 0
  let sum = 0
  let start = 0
  for (let end = 0; end < keys.length; end++) {
    sum += perDay.get(keys[end]!)!
    while (keys[end]! - keys[start]! >= days) sum -= perDay.get(keys[start++]!)!
    peak = Math.max(peak, sum)
  }
  return peak
}
