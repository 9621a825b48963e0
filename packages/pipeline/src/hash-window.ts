// A bounded set of 64-bit hashes that forgets the oldest first: the export's dedup memory.
//
// 16–24 bytes a key (8 in a ring of keys in arrival order, 8–16 in an open-addressing index
// kept at 25–50 % load), allocated as it fills and never past `capacity`, so an export's memory
// stops growing once the window is full: 1,000,000 keys take 16 MiB. Keys must already be uniformly distributed (bits of a
// cryptographic hash): the low word picks the slot.

/** A bounded, insertion-ordered set of 64-bit keys given as two unsigned 32-bit words. */
export interface HashWindow {
  /** Adds a key; false if it was already in the window. Evicts the oldest key when full. */
  add(hi: number, lo: number): boolean
  /** Whether a key is in the window. */
  has(hi: number, lo: number): boolean
  /** Keys held now. */
  readonly size: number
  /** Keys forgotten so far to stay within capacity. */
  readonly evicted: number
  /** Most keys ever held. */
  readonly capacity: number
}

const INITIAL_KEYS = 1024

/**
 * Creates a hash window holding at most `capacity` keys.
 *
 * @example
 * const seen = createHashWindow(1_000_000)
 * seen.add(0xdeadbeef, 0x01234567) // true
 * seen.add(0xdeadbeef, 0x01234567) // false: a duplicate
 */
export function createHashWindow(capacity: number): HashWindow {
  if (!(Number.isInteger(capacity) && capacity > 0)) {
    throw new RangeError(`hash window capacity must be a positive integer, got ${capacity}`)
  }
  return new BoundedHashWindow(capacity)
}

class BoundedHashWindow implements HashWindow {
  readonly capacity: number
  evicted = 0
  size = 0
  /** Ring of keys: position `(_head + i) % _ringLength` holds the i-th oldest. */
  private _hi: Uint32Array
  private _lo: Uint32Array
  private _head = 0
  /** Open-addressing index: ring position + 1, 0 for an empty slot. */
  private _slots: Int32Array
  private _mask: number

  constructor(capacity: number) {
    this.capacity = capacity
    const ringLength = Math.min(capacity, INITIAL_KEYS)
    this._hi = new Uint32Array(ringLength)
    this._lo = new Uint32Array(ringLength)
    this._slots = new Int32Array(tableLength(ringLength))
    this._mask = this._slots.length - 1
  }

  has(hi: number, lo: number): boolean {
    return this._find(hi >>> 0, lo >>> 0) >= 0
  }

  add(hi: number, lo: number): boolean {
    const h = hi >>> 0
    const l = lo >>> 0
    if (this._find(h, l) >= 0) return false
    if (this.size === this._hi.length) {
      if (this._hi.length < this.capacity) this._grow()
      else this._evictOldest()
    }
    const position = (this._head + this.size) % this._hi.length
    this._hi[position] = h
    this._lo[position] = l
    let slot = l & this._mask
    while (this._slots[slot] !== 0) slot = (slot + 1) & this._mask
    this._slots[slot] = position + 1
    this.size += 1
    return true
  }

  /** Slot index of a key, -1 when absent. */
  private _find(hi: number, lo: number): number {
    let slot = lo & this._mask
    for (;;) {
      const entry = this._slots[slot]!
      if (entry === 0) return -1
      if (this._lo[entry - 1] === lo && this._hi[entry - 1] === hi) return slot
      slot = (slot + 1) & this._mask
    }
  }

  private _evictOldest(): void {
    const position = this._head
    const slot = this._find(this._hi[position]!, this._lo[position]!)
    this._deleteSlot(slot)
    this._head = (this._head + 1) % this._hi.length
    this.size -= 1
    this.evicted += 1
  }

  /** Backward-shift deletion keeps every probe chain unbroken without tombstones. */
  private _deleteSlot(emptied: number): void {
    const slots = this._slots
    const mask = this._mask
    let hole = emptied
    let next = emptied
    slots[hole] = 0
    for (;;) {
      next = (next + 1) & mask
      const entry = slots[next]!
      if (entry === 0) return
      const home = this._lo[entry - 1]! & mask
      // The entry may stay if its home lies cyclically in (hole, next].
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next
      if (stays) continue
      slots[hole] = entry
      slots[next] = 0
      hole = next
    }
  }

  private _grow(): void {
    const oldLength = this._hi.length
    const length = Math.min(this.capacity, oldLength * 2)
    const hi = new Uint32Array(length)
    const lo = new Uint32Array(length)
    for (let i = 0; i < this.size; i++) {
      const from = (this._head + i) % oldLength
      hi[i] = this._hi[from]!
      lo[i] = this._lo[from]!
    }
    this._hi = hi
    this._lo = lo
    this._head = 0
    this._slots = new Int32Array(tableLength(length))
    this._mask = this._slots.length - 1
    for (let i = 0; i < this.size; i++) {
      let slot = lo[i]! & this._mask
      while (this._slots[slot] !== 0) slot = (slot + 1) & this._mask
      this._slots[slot] = i + 1
    }
  }
}

/** Smallest power of two at least twice the key count: load stays ≤ 50 %. */
function tableLength(keys: number): number {
  let length = 2
  while (length < keys * 2) length *= 2
  return length
}
