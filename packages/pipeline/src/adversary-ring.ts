// Cross-account near-duplicates: a ring of accounts spreading one claim with small edits, each
// account under the per-user `repeated_correction` rule and the texts never word for word.
import { distance } from 'fastest-levenshtein'

/** Bands of MinHash rows (2 rows each): texts sharing a band are compared. */
const BANDS = 8
const ROWS = 2
/** Candidates kept per band bucket, so one flooded template cannot make comparisons quadratic. */
const BUCKET_CAP = 64

/** FNV-1a, 32 bits, with a seed. */
export function hash32(s: string, seed: number): number {
  let h = 2_166_136_261 ^ seed
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16_777_619)
  return h >>> 0
}

/** Band keys of a normalised text: MinHash over word bigrams. */
function bandKeys(text: string): string[] {
  const words = text.split(' ')
  const shingles = new Set<string>()
  for (let i = 0; i + 1 < words.length; i++) shingles.add(`${words[i]} ${words[i + 1]}`)
  const keys: string[] = []
  for (let b = 0; b < BANDS; b++) {
    const mins: number[] = []
    for (let r = 0; r < ROWS; r++) {
      let min = 0xffffffff
      for (const s of shingles) min = Math.min(min, hash32(s, b * ROWS + r + 1))
      mins.push(min)
    }
    keys.push(`${b}:${mins.join(':')}`)
  }
  return keys
}

interface Entry {
  userId: string
  answer: string
  text: string
  /** Other accounts with a near-identical correction. */
  others: Set<string>
}

/** Tracks, per user, the other accounts that wrote near-identical corrections. */
export interface RingTracker {
  /** `answer` keys the corrected answer: twins on the same answer are agreement, not a ring. */
  add(userId: string, answer: string, normalizedText: string): void
  /**
   * Per user: corrections shared with other accounts and near-identical to another of the
   * user's own, and the distinct accounts they are shared with.
   */
  stats(): Map<string, { sharedCorrections: number; accounts: number }>
}

/**
 * Creates the tracker: texts of at least `minLength` normalised characters are compared with
 * earlier ones from other accounts that share a MinHash band; similarity (1 − edits / longer
 * length) of at least `minSimilarity` counts.
 *
 * @example const ring = createRingTracker(60, 0.8); ring.add('u1', answerKey(response), normalizeCorrection(text))
 */
export function createRingTracker(minLength: number, minSimilarity: number): RingTracker {
  const buckets = new Map<string, Entry[]>()
  const entries: Entry[] = []
  /** Per user: the shared corrections that repeat one of their own, as of `of` shared ones. */
  const repeatedByUser = new Map<string, { of: number; repeated: Entry[] }>()
  return {
    add(userId, answer, text) {
      if (text.length < minLength) return
      const entry: Entry = { userId, answer, text, others: new Set() }
      const seen = new Set<Entry>()
      for (const key of bandKeys(text)) {
        let bucket = buckets.get(key)
        if (!bucket) {
          bucket = []
          buckets.set(key, bucket)
        }
        for (const other of bucket) {
          if (other.userId === userId || other.answer === answer || seen.has(other)) continue
          seen.add(other)
          if (entry.others.has(other.userId) && other.others.has(userId)) continue
          if (similar(other.text, text, minSimilarity)) {
            entry.others.add(other.userId)
            other.others.add(userId)
          }
        }
        if (bucket.length < BUCKET_CAP) bucket.push(entry)
      }
      entries.push(entry)
    },
    stats() {
      const byUser = new Map<string, Entry[]>()
      for (const e of entries) {
        if (e.others.size === 0) continue
        byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e])
      }
      // A ring member repeats the claim: only shared corrections near-identical to another of
      // the user's own (on another answer) count. Honest fixes that happen to match other
      // accounts' (one template, digits aside) are each about something different.
      const out = new Map<string, { sharedCorrections: number; accounts: number }>()
      for (const [userId, list] of byUser) {
        // A user's shared list only grows (entries are added, `others` never shrinks): the
        // same length is the same list, so the comparisons of an earlier call still hold.
        let known = repeatedByUser.get(userId)
        if (known?.of !== list.length) {
          const repeated = list.filter((e) =>
            list.some(
              (f) => f !== e && f.answer !== e.answer && similar(e.text, f.text, minSimilarity),
            ),
          )
          known = { of: list.length, repeated }
          repeatedByUser.set(userId, known)
        }
        const { repeated } = known
        if (repeated.length === 0) continue
        const accounts = new Set<string>()
        for (const e of repeated) for (const u of e.others) accounts.add(u)
        out.set(userId, { sharedCorrections: repeated.length, accounts: accounts.size })
      }
      return out
    },
  }
}

function similar(a: string, b: string, min: number): boolean {
  const longer = Math.max(a.length, b.length)
  if (1 - Math.abs(a.length - b.length) / longer < min) return false
  return 1 - distance(a, b) / longer >= min
}
