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
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { distance } from 'fastest-levenshtein'
import {
  createPromptIdf,
  DEFAULT_REPHRASE_THRESHOLD,
  type PromptIdf,
  REPHRASE_WORD_WEIGHT,
  rephraseSimilarity,
} from '../src/rephrase-similarity.ts'
import { seededRandom } from '../src/testing/random.ts'

const POSITIVES = 2000 // per half
const RANDOM_NEGATIVES = 1000
const HARD_NEGATIVES = 1000
const HARD_POOL = 40
const TARGET_PRECISION = 0.9

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const seed = Number(arg('--seed') ?? 77)
const DATA =
  arg('--data') ??
  process.env.TIGHTLOOP_BANKING77 ??
  fileURLToPath(new URL('../../../../shared/data/banking77/train.csv', import.meta.url))
if (!existsSync(DATA)) {
  console.error(`rephrase-eval: no banking77 train.csv at ${DATA}; pass one with --data <file>`)
  process.exit(2)
}

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  )
// Only to pick hard negatives: a content word is four letters or more and not one of these.
const FUNCTION_WORDS = new Set(
  'that this there what when where which with from have does your would could should about will been they them then than into just also some more much very need want please'.split(
    ' ',
  ),
)
const contentWords = (text: string) =>
  [...words(text)].filter((w) => w.length >= 4 && !FUNCTION_WORDS.has(w))

interface Pair {
  a: string
  b: string
  same: boolean
  kind: string
}

const FOLLOW_UPS = [
  'and how long does that take?',
  'ok, and what about fees?',
  'thanks! is there a limit?',
  'can I do that from the app?',
  'what if I am abroad?',
  'does that cost anything?',
  'and if that does not work?',
  'great, thanks',
  'how do I contact support?',
  'is it the same for business accounts?',
]

function buildPairs(rows: string[][], random: () => number): Pair[] {
  const byIntent = new Map<string, string[]>()
  for (const [text, intent] of rows)
    byIntent.set(intent!, [...(byIntent.get(intent!) ?? []), text!])
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  const pairs: Pair[] = []
  const seen = new Set<string>()
  const add = (pair: Pair) => {
    const key = `${pair.a}\u0000${pair.b}`
    if (pair.a === pair.b || seen.has(key)) return
    seen.add(key)
    pairs.push(pair)
  }
  while (pairs.length < POSITIVES) {
    const [text, intent] = pick(rows)
    add({ a: text!, b: pick(byIntent.get(intent!)!), same: true, kind: 'same intent' })
  }
  let target = pairs.length + RANDOM_NEGATIVES
  while (pairs.length < target) {
    const [a, ia] = pick(rows)
    const [b, ib] = pick(rows)
    if (ia !== ib) add({ a: a!, b: b!, same: false, kind: 'random other intent' })
  }
  target = pairs.length + HARD_NEGATIVES
  while (pairs.length < target) {
    const [a, ia] = pick(rows)
    const content = contentWords(a!)
    if (!content.length) continue
    let best: string | undefined
    for (let i = 0; i < HARD_POOL && !best; i++) {
      const [b, ib] = pick(rows)
      if (ib !== ia && content.some((w) => words(b!).has(w))) best = b
    }
    if (best) add({ a: a!, b: best, same: false, kind: 'hard other intent' })
  }
  for (const followUp of FOLLOW_UPS)
    for (let i = 0; i < 10; i++)
      add({ a: pick(rows)[0]!, b: followUp, same: false, kind: 'follow-up' })
  return pairs
}

/** Recall at the lowest threshold whose precision is still ≥ the target, and that threshold. */
function recallAtPrecision(scores: { s: number; same: boolean }[]) {
  const sorted = [...scores].sort((x, y) => y.s - x.s)
  const positives = sorted.filter((p) => p.same).length
  let tp = 0
  let fp = 0
  let best = { recall: 0, threshold: 1, precision: 1 }
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.same) tp++
    else fp++
    // Only cut between distinct scores.
    if (i + 1 < sorted.length && sorted[i + 1]!.s === sorted[i]!.s) continue
    const precision = tp / (tp + fp)
    if (precision >= TARGET_PRECISION && tp / positives > best.recall)
      best = { recall: tp / positives, threshold: sorted[i]!.s, precision }
  }
  return best
}

function at(scores: { s: number; same: boolean; kind: string }[], threshold: number) {
  let tp = 0
  let fp = 0
  let fpHard = 0
  let positives = 0
  for (const p of scores) {
    if (p.same) positives++
    if (p.s < threshold) continue
    if (p.same) tp++
    else {
      fp++
      if (p.kind === 'hard other intent') fpHard++
    }
  }
  return { precision: tp / (tp + fp || 1), recall: tp / positives, fp, fpHard }
}

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

const rows = parseCsv(readFileSync(DATA, 'utf8'))
  .slice(1)
  .filter((r) => r.length === 2 && r[0]!.trim())
const random = seededRandom(seed)
const shuffled = rows
  .map((r) => ({ r, k: random() }))
  .sort((x, y) => x.k - y.k)
  .map((x) => x.r)
const half = Math.floor(shuffled.length / 2)
const tuneRows = shuffled.slice(0, half)
const heldRows = shuffled.slice(half)
const idf = createPromptIdf()
for (const [text] of tuneRows) idf.add(text!)
const tunePairs = buildPairs(tuneRows, random)
const heldPairs = buildPairs(heldRows, random)
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
