// A seeded PRNG and sampling helpers for simulations and benchmarks. Not part of the public API.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * mulberry32: a tiny, fast, well-mixed 32-bit generator; the same seed gives the same run.
 *
 * @example const random = seededRandom(42); random() // 0.6011037519201636
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * An integer in [min, max].
 *
 * @example intBetween(random, 1, 6) // a die
 */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/**
 * One element of a non-empty list.
 *
 * @example pick(random, ['a', 'b'])
 */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

/**
 * A standard normal draw (Box–Muller).
 *
 * @example 10 + 2 * normal(random)
 */
export function normal(random: Random): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/**
 * A Poisson draw (Knuth; fine for the small means simulations use).
 *
 * @example poisson(random, 3)
 */
export function poisson(random: Random, lambda: number): number {
  const limit = Math.exp(-lambda)
  let k = 0
  let p = random()
  while (p > limit) {
    k += 1
    p *= random()
  }
  return k
}
