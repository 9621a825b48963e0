import { describe, expect, it } from 'vitest'
import { mean, median, medianAbsoluteDeviation, standardDeviation } from './robust-stats.ts'

describe('robust statistics', () => {
  it('computes medians of odd and even lists without sorting the input in place', () => {
    const input = [3, 1, 2, 10]
    expect(median(input)).toBe(2.5)
    expect(input).toEqual([3, 1, 2, 10])
    expect(median([5, 1, 3])).toBe(3)
    expect(median([10, 9, 100])).toBe(10) // numeric, not lexicographic, order
    expect(median([])).toBeNaN()
  })
  it('ignores an outlier in the MAD', () => {
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1)
  })
  it('computes mean and sample deviation', () => {
    expect(mean([1, 2, 3])).toBe(2)
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3)
    expect(standardDeviation([1])).toBeNaN()
  })
})
