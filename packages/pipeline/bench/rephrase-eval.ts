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
import { distance } from 'fastest-levenshtein'
import {
  createPromptIdf,
  DEFAULT_REPHRASE_THRESHOLD,
  type PromptIdf,
  REPHRASE_WORD_WEIGHT,
  rephraseSimilarity,
} from '../src/rephrase-similarity.ts'
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
const score = (pairs: Pair[], f: (a: string, b: string) => number) =>
  pairs.map((p) => ({ ...p, s: f(p.a, p.b) }))
const ours = (w: number, model: PromptIdf) => (a: string, b: string) =>
  rephraseSimilarity(a, b, model, w)

console.log(
  `seed ${seed}: ${rows.length} rows, tune half ${tuneRows.length} (${tunePairs.length} pairs), held-out half ${heldRows.length} (${heldPairs.length} pairs); IDF from the tune half's prompts`,
)
console.log('\ntuning: word weight → best recall at precision ≥ 0.9 on the tune half')
let tuned = { w: REPHRASE_WORD_WEIGHT, threshold: DEFAULT_REPHRASE_THRESHOLD, recall: 0 }
for (let w = 0; w <= 1.0001; w += 0.1) {
  const best = recallAtPrecision(score(tunePairs, ours(w, idf)))
  console.log(
    `  ${w.toFixed(1)}  recall ${(best.recall * 100).toFixed(1)} %  at threshold ${best.threshold.toFixed(3)}`,
  )
  if (best.recall > tuned.recall) tuned = { w, threshold: best.threshold, recall: best.recall }
}
console.log(
  `tuned: word weight ${tuned.w.toFixed(1)}, threshold ${tuned.threshold.toFixed(3)} (shipped defaults: ${REPHRASE_WORD_WEIGHT}, ${DEFAULT_REPHRASE_THRESHOLD})`,
)

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const report = (name: string, scores: { s: number; same: boolean; kind: string }[], t: number) => {
  const r = at(scores, t)
  console.log(
    `  ${name.padEnd(52)} threshold ${t.toFixed(3)}  precision ${pct(r.precision)}  recall ${pct(r.recall)}  false ${r.fp} (hard ${r.fpHard})`,
  )
}
console.log('\nheld-out half, thresholds fixed before looking at it:')
report(
  'collector, shipped defaults',
  score(heldPairs, ours(REPHRASE_WORD_WEIGHT, idf)),
  DEFAULT_REPHRASE_THRESHOLD,
)
report('collector, tuned on this seed', score(heldPairs, ours(tuned.w, idf)), tuned.threshold)
report('old browser detector (threshold 0.55)', score(heldPairs, oldSimilarity), 0.55)
const oldBest = recallAtPrecision(score(heldPairs, oldSimilarity))
console.log(
  `  old browser detector, best threshold on held-out itself: recall ${pct(oldBest.recall)} at ${oldBest.threshold.toFixed(3)} (precision ${pct(oldBest.precision)})`,
)
const ourBest = recallAtPrecision(score(heldPairs, ours(REPHRASE_WORD_WEIGHT, idf)))
console.log(
  `  collector, best threshold on held-out itself:            recall ${pct(ourBest.recall)} at ${ourBest.threshold.toFixed(3)} (precision ${pct(ourBest.precision)})`,
)
