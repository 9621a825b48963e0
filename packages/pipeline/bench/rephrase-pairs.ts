// The pairs of the rephrase bench (rephrase-eval.ts): banking77's train split shuffled (seeded)
// and cut in two halves, "tune" and "held-out", with pairs made inside each half (see
// rephrase-eval.ts for how), and the recall-at-precision measure.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '../src/testing/random.ts'

const POSITIVES = 2000 // per half
const RANDOM_NEGATIVES = 1000
const HARD_NEGATIVES = 1000
const HARD_POOL = 40
export const TARGET_PRECISION = 0.9

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
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

export interface Pair {
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

export function buildPairs(rows: string[][], random: () => number): Pair[] {
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
export function recallAtPrecision(scores: { s: number; same: boolean }[]) {
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

export function at(scores: { s: number; same: boolean; kind: string }[], threshold: number) {
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

/** A bench's command line: `--seed N` (77) and `--data file` (or TIGHTLOOP_BANKING77). */
export function benchArgs(name: string) {
  const args = process.argv.slice(2)
  const arg = (flag: string) => {
    const i = args.indexOf(flag)
    return i >= 0 ? args[i + 1] : undefined
  }
  const seed = Number(arg('--seed') ?? 77)
  const data =
    arg('--data') ??
    process.env.TIGHTLOOP_BANKING77 ??
    fileURLToPath(new URL('../../../../shared/data/banking77/train.csv', import.meta.url))
  if (!existsSync(data)) {
    console.error(`${name}: no banking77 train.csv at ${data}; pass one with --data <file>`)
    process.exit(2)
  }
  return { seed, data, arg }
}

/** The two halves of the rows and their pairs, drawn from one seeded generator. */
export function loadHalves(data: string, seed: number) {
  const rows = parseCsv(readFileSync(data, 'utf8'))
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
  const tunePairs = buildPairs(tuneRows, random)
  const heldPairs = buildPairs(heldRows, random)
  return { rows, tuneRows, heldRows, tunePairs, heldPairs }
}
