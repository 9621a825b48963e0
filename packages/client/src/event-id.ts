// Event ids that sort in creation order, as UUIDv7 does: the collector indexes them faster.

const hex = (value: number, width: number) => Math.floor(value).toString(16).padStart(width, '0')

/**
 * Makes a generator of 36-character hex ids: 48 bits of milliseconds, a 16-bit sequence that
 * keeps one generator's ids increasing within a millisecond (and when the clock steps back),
 * then 80 random bits. Fixed width and lower case, so string order is time order.
 *
 * @example const nextId = createEventIds(Date.now, Math.random); nextId() // '0193a…'
 */
export function createEventIds(now: () => number, random: () => number): () => string {
  let last = 0
  let sequence = 0
  return () => {
    const ms = now()
    if (ms > last) {
      last = ms
      sequence = 0
    } else if (++sequence > 0xffff) {
      last++
      sequence = 0
    }
    return (
      hex(last, 12) + hex(sequence, 4) + hex(random() * 2 ** 40, 10) + hex(random() * 2 ** 40, 10)
    )
  }
}
