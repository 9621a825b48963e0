// Recall at precision ≥ 0.9 of the collector's rephrase similarity on banking77 prompt pairs,
// tuned on one half of the train split and reported on the other.
//
//   pnpm exec tsx packages/pipeline/bench/rephrase-eval.ts [--data banking77/train.csv] [--seed N]
//
// banking77 (PolyAI, CC BY 4.0) is not in the repository: pass its train.csv with --data or
// TIGHTLOOP_BANKING77 (the default is where our workspace keeps it, beside the checkout).
//
// The rows are shuffled (seeded) and cut in two halves: "tune" and "held-out". Pairs are made
// inside each half only, as the client's bench makes them: two questions of one intent are a
// rephrase (positive); two of different intents are not (random negatives, and hard negatives:
// the first of up to 40 drawn other-intent questions that shares a content word with it); plus
// follow-ups that reuse the earlier question's words. The IDF model is
// fed with the tune half's prompts only, as a project's stored traffic would be.
import { performance } from 'node:perf_hooks'
import type { StoredEvent } from '@tightloop/schema'
import { distance } from 'fastest-levenshtein'
import { createImplicitDeriver } from '../src/implicit-signals.ts'
import {
  alignSimilarity,
  createPromptIdf,
  DEFAULT_REPHRASE_THRESHOLD,
  idfSimilarity,
  preparePrompt,
  REPHRASE_VECTOR_WEIGHT,
  REPHRASE_WORD_WEIGHT,
  rephraseSimilarity,
  trigramSimilarity,
} from '../src/rephrase-similarity.ts'
import { shippedWordVectors } from '../src/word-vectors.ts'
import { at, benchArgs, loadHalves, type Pair, recallAtPrecision } from './rephrase-pairs.ts'

const { seed, data } = benchArgs('rephrase-eval')

// The browser detector this replaces (packages/client, removed): mean of the Levenshtein
// similarity and the Jaccard overlap of five-letter stems minus 40 stop words, threshold 0.55.
const OLD_STOPWORDS = new Set(
  'the you your are was have has for from with and but that this there what why how when where which who can could would should will may not please get got any'.split(
    ' ',
  ),
)
function oldSimilarity(a: string, b: string): number {
  const terms = (t: string) =>
    t
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 2 && !OLD_STOPWORDS.has(w))
      .map((w) => w.slice(0, 5))
  const left = terms(a)
  const right = terms(b)
  const x = left.join(' ')
  const y = right.join(' ')
  if (!x || !y) return 0
  const l = new Set(left)
  const r = new Set(right)
  let shared = 0
  for (const w of l) if (r.has(w)) shared++
  return (
    (1 - distance(x, y) / Math.max(x.length, y.length) + shared / (l.size + r.size - shared)) / 2
  )
}

const { rows, tuneRows, heldRows, tunePairs, heldPairs } = loadHalves(data, seed)
const idf = createPromptIdf()
for (const [text] of tuneRows) idf.add(text!)
const vectors = shippedWordVectors()
const pct = (x: number) => `${(x * 100).toFixed(1)} %`

// The three parts of the collector's similarity per pair, blended below for any weights.
interface Parts extends Pair {
  word: number
  trigram: number
  align: number
}
const parts = (pairs: Pair[]): Parts[] =>
  pairs.map((p) => ({
    ...p,
    word: idfSimilarity(p.a, p.b, idf),
    trigram: trigramSimilarity(p.a, p.b),
    align: alignSimilarity(preparePrompt(p.a, idf), preparePrompt(p.b, idf), vectors),
  }))
interface Weights {
  w: number
  e: number
}
const blend = (pairs: Parts[], { w, e }: Weights) =>
  pairs.map((p) => ({ ...p, s: (1 - e) * (w * p.word + (1 - w) * p.trigram) + e * p.align }))
const tune = parts(tunePairs)
const held = parts(heldPairs)

console.log(
  `seed ${seed}: ${rows.length} rows, tune half ${tuneRows.length} (${tunePairs.length} pairs), held-out half ${heldRows.length} (${heldPairs.length} pairs); IDF from the tune half's prompts; word vectors: ${vectors.size} words × ${vectors.dimensions}`,
)
// Tuning on the tune half: word weight w in 0..1 by 0.1, vector weight e in 0..1 by 0.05.
const grid = (step: number) =>
  Array.from({ length: Math.round(1 / step) + 1 }, (_, i) => +(i * step).toFixed(2))
const tuneFor = (vectorWeights: number[]) => {
  let best = { w: 0, e: 0, threshold: 1, recall: -1 }
  for (const w of grid(0.1))
    for (const e of vectorWeights) {
      const r = recallAtPrecision(blend(tune, { w, e }))
      if (r.recall > best.recall) best = { w, e, threshold: r.threshold, recall: r.recall }
    }
  return best
}
const tuned = tuneFor(grid(0.05))
const lexical = tuneFor([0])
console.log('\ntuning: best recall at precision ≥ 0.9 on the tune half')
for (const [name, t] of [
  ['with word vectors', tuned],
  ['lexical only (e 0)', lexical],
] as const)
  console.log(
    `  ${name.padEnd(20)} w ${t.w.toFixed(1)}  e ${t.e.toFixed(2)}  threshold ${t.threshold.toFixed(3)}  recall ${pct(t.recall)}`,
  )
console.log(
  `  shipped defaults: w ${REPHRASE_WORD_WEIGHT}, e ${REPHRASE_VECTOR_WEIGHT}, threshold ${DEFAULT_REPHRASE_THRESHOLD}`,
)

const report = (name: string, scores: { s: number; same: boolean; kind: string }[], t: number) => {
  const r = at(scores, t)
  const best = recallAtPrecision(scores)
  console.log(
    `  ${name.padEnd(40)} at ${t.toFixed(3)}: precision ${pct(r.precision)}  recall ${pct(r.recall)}  false ${String(r.fp).padStart(3)} (hard ${String(r.fpHard).padStart(3)}) | recall at precision ≥ 0.9: ${pct(best.recall)} (at ${best.threshold.toFixed(3)})`,
  )
}
console.log(
  '\nheld-out half, thresholds fixed before looking at it; last column: the best threshold on held-out itself',
)
const shipped = { w: REPHRASE_WORD_WEIGHT, e: REPHRASE_VECTOR_WEIGHT }
report('collector, shipped defaults', blend(held, shipped), DEFAULT_REPHRASE_THRESHOLD)
report('collector, tuned on this seed', blend(held, tuned), tuned.threshold)
report('lexical only, tuned on this seed', blend(held, lexical), lexical.threshold)
const old = heldPairs.map((p) => ({ ...p, s: oldSimilarity(p.a, p.b) }))
report('old browser detector', old, 0.55)

// ---- Cost, side by side in this run: the shipped similarity and the lexical one alone. ----
const lexicalOptions = { vectorWeight: 0, wordWeight: lexical.w }
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
const spread = (xs: number[], digits: number) =>
  `median ${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`
const perComparison = (options: object) => {
  const start = performance.now()
  for (const p of heldPairs) rephraseSimilarity(p.a, p.b, idf, options)
  return ((performance.now() - start) * 1000) / heldPairs.length
}
// A stream of sessions of four questions each (asked, then answered), as an export feeds it.
const stream: StoredEvent[] = []
const T0 = Date.parse('2026-12-01T00:00:00Z')
for (let i = 0; i < 40_000; i++) {
  const text = heldRows[i % heldRows.length]![0]!
  const at = new Date(T0 + i * 1000).toISOString()
  const base = {
    sessionId: `s${i >> 2}`,
    userId: `u${i >> 2}`,
    prompt: text,
    occurredAt: at,
    clientOccurredAt: at,
  }
  stream.push(
    { ...base, eventId: `a${i}`, requestId: `p${i}`, signal: 'prompt_asked', receivedAt: at },
    { ...base, eventId: `s${i}`, requestId: `r${i}`, signal: 'response_shown', receivedAt: at },
  )
}
const derive = (options: object, threshold: number) => {
  const deriver = createImplicitDeriver({
    now: T0 + 86_400_000,
    idf,
    rephraseThreshold: threshold,
    similarity: options,
  })
  const start = performance.now()
  for (const event of stream) deriver.push(event)
  deriver.end()
  return stream.length / ((performance.now() - start) / 1000)
}
const cost = { shipped: [] as number[], lexical: [] as number[] }
const rate = { shipped: [] as number[], lexical: [] as number[] }
for (let round = 0; round < 5; round++) {
  cost.shipped.push(perComparison({}))
  cost.lexical.push(perComparison(lexicalOptions))
  rate.shipped.push(derive({}, DEFAULT_REPHRASE_THRESHOLD))
  rate.lexical.push(derive(lexicalOptions, lexical.threshold))
}
console.log('\ncost, 5 rounds alternating (first round includes warm-up):')
console.log(
  `  per comparison of two prompts: shipped ${spread(cost.shipped, 1)} µs, lexical only ${spread(cost.lexical, 1)} µs`,
)
console.log(
  `  implicit derivation, ${stream.length} events in sessions of 4 questions: shipped ${spread(rate.shipped, 0)} events/s, lexical only ${spread(rate.lexical, 0)} events/s`,
)
