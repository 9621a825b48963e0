// Is a prompt an earlier one asked again in other words? Word overlap weighted by how rare each
// word is in the project's own prompts (IDF) and character-trigram overlap, blended with a
// word-vector alignment: each word's closest word in the other prompt ("stop" for "cancel").
import { shippedWordVectors, type WordVectors } from './word-vectors.ts'

/** Five-letter prefixes stand in for stems: "transfer", "transferred", "transfers" agree. */
const STEM_LENGTH = 5
/** Most distinct stems an IDF model counts; rarer ones past it share the unseen weight. */
const MAX_VOCABULARY = 50_000

/**
 * Default blend of the similarities and the threshold at or above which a prompt is a
 * rephrase. Tuned on half of banking77's train split (bench/rephrase-eval.ts) for the most
 * recall at precision ≥ 0.9; the figures on the other half are in BENCHMARKS.md.
 */
export const REPHRASE_WORD_WEIGHT = 0.4
export const REPHRASE_VECTOR_WEIGHT = 0.65
export const DEFAULT_REPHRASE_THRESHOLD = 0.605
/**
 * The scale {@link DEFAULT_REPHRASE_THRESHOLD} is on: 1 was the lexical similarity alone, 2 adds
 * word vectors. A threshold stored on an older scale is carried over by {@link rescaleThreshold}.
 */
export const REPHRASE_SCALE = 2
const SCALE_1_DEFAULT = 0.353

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

/** A prompt made ready for comparison: its stems, trigrams, words' vector rows and weights. */
export interface PreparedPrompt {
  readonly stems: ReadonlySet<string>
  readonly trigrams: ReadonlySet<string>
  /** Per distinct word: its stem, its row in the vector table (-1: none) and its IDF weight. */
  readonly words: readonly { stem: string; row: number; weight: number }[]
}

/** How {@link rephraseSimilarity} blends its parts; the defaults are the tuned ones. */
export interface RephraseOptions {
  /** Word vectors; the shipped table by default. */
  vectors?: WordVectors
  /** Share of the IDF word cosine in the lexical part (the rest is trigram overlap). */
  wordWeight?: number
  /** Share of the word-vector alignment in the whole (the rest is the lexical part). */
  vectorWeight?: number
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)

/**
 * Prepares a prompt once for any number of comparisons.
 *
 * @example const p = preparePrompt('Where is my card?', idf)
 */
export function preparePrompt(
  text: string,
  idf: PromptIdf,
  vectors: WordVectors = shippedWordVectors(),
): PreparedPrompt {
  const list = words(text)
  return {
    stems: new Set(list.map((word) => word.slice(0, STEM_LENGTH))),
    trigrams: trigramsOf(list),
    words: [...new Set(list)].map((word) => {
      const stem = word.slice(0, STEM_LENGTH)
      return { stem, row: vectors.row(word), weight: idf.weight(stem) }
    }),
  }
}

/**
 * A memo of {@link preparePrompt} holding the `size` most recently used prompts.
 *
 * @example const prepare = createPromptCache(idf, {}, 2048); prepare('Where is my card?')
 */
export function createPromptCache(idf: PromptIdf, options: RephraseOptions, size: number) {
  const cache = new Map<string, PreparedPrompt>()
  return (prompt: string): PreparedPrompt => {
    let prepared = cache.get(prompt)
    if (prepared) cache.delete(prompt)
    else prepared = preparePrompt(prompt, idf, options.vectors)
    cache.set(prompt, prepared)
    if (cache.size > size) cache.delete(cache.keys().next().value as string)
    return prepared
  }
}

/** Word similarity of two prompts in [0, 1]: cosine of their IDF-weighted stem sets. */
export function idfSimilarity(a: string, b: string, idf: PromptIdf): number {
  return stemCosine(new Set(promptStems(a)), new Set(promptStems(b)), idf)
}

function stemCosine(left: ReadonlySet<string>, right: ReadonlySet<string>, idf: PromptIdf) {
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

const trigrams = (text: string) => trigramsOf(words(text))
const trigramsOf = (list: readonly string[]) => {
  const padded = ` ${list.join(' ')} `
  const grams = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3))
  return grams
}

/** Character similarity in [0, 1]: Dice overlap of character trigrams (typos, word forms). */
export function trigramSimilarity(a: string, b: string): number {
  return dice(trigrams(a), trigrams(b))
}

function dice(x: ReadonlySet<string>, y: ReadonlySet<string>) {
  let shared = 0
  for (const gram of x) if (y.has(gram)) shared++
  return x.size + y.size ? (2 * shared) / (x.size + y.size) : 0
}

/**
 * Word-vector alignment in [0, 1]: each word's best match in the other prompt (1 for the same
 * stem, else the cosine of their vectors, at least 0), IDF-weighted, averaged both ways.
 */
export function alignSimilarity(x: PreparedPrompt, y: PreparedPrompt, vectors: WordVectors) {
  // One pass over the word pairs gives each word's best match on both sides.
  const bestX = new Float64Array(x.words.length)
  const bestY = new Float64Array(y.words.length)
  for (const [i, word] of x.words.entries()) {
    for (const [j, other] of y.words.entries()) {
      const match =
        word.stem === other.stem
          ? 1
          : word.row >= 0 && other.row >= 0
            ? vectors.cosine(word.row, other.row)
            : 0
      if (match > bestX[i]!) bestX[i] = match
      if (match > bestY[j]!) bestY[j] = match
    }
  }
  const oneWay = (prompt: PreparedPrompt, best: Float64Array) => {
    let total = 0
    let weight = 0
    for (const [k, word] of prompt.words.entries()) {
      total += word.weight * best[k]!
      weight += word.weight
    }
    return weight ? total / weight : 0
  }
  return (oneWay(x, bestX) + oneWay(y, bestY)) / 2
}

/**
 * Similarity of two prepared prompts in [0, 1]: {@link REPHRASE_VECTOR_WEIGHT} of the word-vector
 * alignment plus the rest of the lexical part, itself {@link REPHRASE_WORD_WEIGHT} of the IDF
 * word cosine plus the rest of the character-trigram overlap.
 */
export function preparedSimilarity(
  x: PreparedPrompt,
  y: PreparedPrompt,
  idf: PromptIdf,
  options: RephraseOptions = {},
): number {
  const w = options.wordWeight ?? REPHRASE_WORD_WEIGHT
  const e = options.vectorWeight ?? REPHRASE_VECTOR_WEIGHT
  const lexical = w * stemCosine(x.stems, y.stems, idf) + (1 - w) * dice(x.trigrams, y.trigrams)
  if (!e) return lexical
  return (1 - e) * lexical + e * alignSimilarity(x, y, options.vectors ?? shippedWordVectors())
}

/**
 * Similarity of two prompts in [0, 1] ({@link preparedSimilarity}); to compare one prompt with
 * many, prepare each once instead.
 *
 * @example rephraseSimilarity('How do I cancel my card?', 'i want to stop my debit card', idf) // ≈ 0.6
 */
export function rephraseSimilarity(
  a: string,
  b: string,
  idf: PromptIdf,
  options: RephraseOptions = {},
): number {
  const vectors = options.vectors ?? shippedWordVectors()
  const o = { ...options, vectors }
  return preparedSimilarity(preparePrompt(a, idf, vectors), preparePrompt(b, idf, vectors), idf, o)
}

/**
 * A threshold stored on an older scale ({@link REPHRASE_SCALE}), on today's: the old default
 * becomes today's, 0 and 1 stay, values between move in proportion; above 1 (off) stays off.
 *
 * @example rescaleThreshold(0.353, 1) // DEFAULT_REPHRASE_THRESHOLD
 */
export function rescaleThreshold(threshold: number, scale: number): number {
  if (scale >= REPHRASE_SCALE || threshold > 1 || threshold <= 0) return threshold
  const rescaled =
    threshold <= SCALE_1_DEFAULT
      ? (threshold / SCALE_1_DEFAULT) * DEFAULT_REPHRASE_THRESHOLD
      : DEFAULT_REPHRASE_THRESHOLD +
        ((threshold - SCALE_1_DEFAULT) / (1 - SCALE_1_DEFAULT)) * (1 - DEFAULT_REPHRASE_THRESHOLD)
  return Math.round(rescaled * 1000) / 1000
}
