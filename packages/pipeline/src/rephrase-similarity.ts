// Is a prompt an earlier one asked again in other words? Word overlap weighted by how rare each
// word is in the project's own prompts (IDF), blended with character-trigram overlap.

/** Five-letter prefixes stand in for stems: "transfer", "transferred", "transfers" agree. */
const STEM_LENGTH = 5
/** Most distinct stems an IDF model counts; rarer ones past it share the unseen weight. */
const MAX_VOCABULARY = 50_000

/**
 * Default blend of the two similarities and the threshold at or above which a prompt is a
 * rephrase. Tuned on half of banking77's train split (bench/rephrase-eval.ts) for the most
 * recall at precision ≥ 0.9; the figures on the other half are in BENCHMARKS.md.
 */
export const REPHRASE_WORD_WEIGHT = 0.2
export const DEFAULT_REPHRASE_THRESHOLD = 0.353

/**
 * The stems of a prompt: lower case, letters and digits only, each cut to five letters. No
 * stop-word list: IDF weights words every prompt uses close to zero.
 *
 * @example promptStems('Where is MY card?!') // ['where', 'is', 'my', 'card']
 */
export function promptStems(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((word) => word.slice(0, STEM_LENGTH))
}

/** Document frequencies of stems over a project's prompts: how rare each word is. */
export interface PromptIdf {
  /** Prompts counted. */
  readonly documents: number
  /** Inverse document frequency of a stem: `ln((1 + N) / (1 + df)) + 1`. */
  weight(stem: string): number
}

/** Builds a {@link PromptIdf} one prompt at a time, with a bounded vocabulary. */
export interface PromptIdfBuilder extends PromptIdf {
  add(prompt: string): void
}

/**
 * An IDF model fed with the project's stored prompts. Memory: at most 50,000 stems (past it,
 * new stems are not counted and weigh as unseen, the rarest).
 *
 * @example const idf = createPromptIdf(); for (const p of prompts) idf.add(p); idf.weight('card')
 */
export function createPromptIdf(): PromptIdfBuilder {
  const df = new Map<string, number>()
  let documents = 0
  return {
    get documents() {
      return documents
    },
    add(prompt) {
      documents++
      for (const stem of new Set(promptStems(prompt))) {
        const n = df.get(stem)
        if (n !== undefined) df.set(stem, n + 1)
        else if (df.size < MAX_VOCABULARY) df.set(stem, 1)
      }
    },
    weight(stem) {
      return Math.log((1 + documents) / (1 + (df.get(stem) ?? 0))) + 1
    },
  }
}

/** Word similarity of two prompts in [0, 1]: cosine of their IDF-weighted stem sets. */
export function idfSimilarity(a: string, b: string, idf: PromptIdf): number {
  const left = new Set(promptStems(a))
  const right = new Set(promptStems(b))
  let shared = 0
  let leftNorm = 0
  let rightNorm = 0
  for (const stem of left) {
    const w = idf.weight(stem) ** 2
    leftNorm += w
    if (right.has(stem)) shared += w
  }
  for (const stem of right) rightNorm += idf.weight(stem) ** 2
  return leftNorm && rightNorm ? shared / Math.sqrt(leftNorm * rightNorm) : 0
}

const trigrams = (text: string) => {
  const padded = ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `
  const grams = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3))
  return grams
}

/** Character similarity in [0, 1]: Dice overlap of character trigrams (typos, word forms). */
export function trigramSimilarity(a: string, b: string): number {
  const x = trigrams(a)
  const y = trigrams(b)
  let shared = 0
  for (const gram of x) if (y.has(gram)) shared++
  return x.size + y.size ? (2 * shared) / (x.size + y.size) : 0
}

/**
 * Similarity of two prompts in [0, 1]: {@link REPHRASE_WORD_WEIGHT} of the IDF-weighted word
 * cosine plus the rest of the character-trigram overlap.
 *
 * @example rephraseSimilarity('How do I reset my PIN?', 'how can i reset my pin', idf) // ≈ 0.8
 */
export function rephraseSimilarity(
  a: string,
  b: string,
  idf: PromptIdf,
  wordWeight = REPHRASE_WORD_WEIGHT,
): number {
  return wordWeight * idfSimilarity(a, b, idf) + (1 - wordWeight) * trigramSimilarity(a, b)
}
