// Precision and recall of the rephrase detector on labelled prompt pairs built from banking77.
//
//   pnpm exec tsx packages/client/bench/rephrase-eval.ts [--data banking77/train.csv] [--seed N] [--compare]
//
// banking77 (PolyAI, CC BY 4.0) is not in the repository: pass its train.csv with --data or
// TIGHTLOOP_BANKING77 (the default is where our workspace keeps it, beside the checkout).
//
// Pairs (deterministic for a seed): two questions of the same banking77 intent are "asked
// again in other words" (positive); two of different intents are not (random negatives, and
// hard negatives: the other-intent question sharing the most words out of 40 drawn); plus
// hand-written follow-ups, questions that continue a conversation rather than repeat it.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { distance } from 'fastest-levenshtein'
import { promptSimilarity, promptTerms, REPHRASE_THRESHOLD } from '../src/rephrase.ts'

const POSITIVES = 4000
const RANDOM_NEGATIVES = 2000
const HARD_NEGATIVES = 2000
const HARD_POOL = 40 // other-intent questions drawn to find the most similar-looking one

const args = process.argv.slice(2)
const seedArg = args.indexOf('--seed')
const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : 77
const compare = args.includes('--compare')
const dataArg = args.indexOf('--data')
const DATA =
  (dataArg >= 0 ? args[dataArg + 1] : undefined) ??
  process.env.TIGHTLOOP_BANKING77 ??
  fileURLToPath(new URL('../../../../shared/data/banking77/train.csv', import.meta.url))
if (!existsSync(DATA)) {
  console.error(`rephrase-eval: no banking77 train.csv at ${DATA}; pass one with --data <file>`)
  process.exit(2)
}

/** mulberry32: a small seeded PRNG, so the pairs are the same on every run. */
function rng(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
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

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()

interface Pair {
  a: string
  b: string
  same: boolean
  kind: 'same intent' | 'random other intent' | 'hard other intent' | 'follow-up'
}

// Follow-ups a user types after an answer: a new question, often reusing the old one's words.
const GENERIC_FOLLOW_UPS = [
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
const SPECIFIC_FOLLOW_UPS: [string, string][] = [
  ['How long will it take for my new card to arrive?', 'Can I use my card abroad once it arrives?'],
  ['What exchange rate do you use for euros?', 'Is there a fee when I exchange euros?'],
  ['How do I top up my account by bank transfer?', 'How long does a top up by bank transfer take?'],
  ['Why was my card declined?', 'Will my card be declined again if I try tomorrow?'],
  ['How do I change my PIN?', 'Can I change my PIN at any ATM?'],
  ['I lost my card, what should I do?', 'How much does a replacement card cost?'],
  ['Can I get a virtual card?', 'Can I use the virtual card for online subscriptions?'],
  ['Why is my transfer still pending?', 'Can I cancel a pending transfer?'],
  ['How do I verify my identity?', 'What documents do you accept to verify my identity?'],
  [
    'What currencies can I hold in my account?',
    'Can I send money in those currencies to a friend?',
  ],
  ['How do I activate my card?', 'How do I add my activated card to Apple Pay?'],
  [
    'Is there a fee for ATM withdrawals?',
    'How many ATM withdrawals can I make for free each month?',
  ],
  ['Why did I get charged an extra fee?', 'Can I get a refund of that fee?'],
  ['How do I close my account?', 'What happens to my balance when I close my account?'],
  ['Can I set up automatic top ups?', 'How do I turn off automatic top ups later?'],
  ['My contactless payment is not working', 'What is the contactless payment limit?'],
  [
    'How do I send money to another country?',
    'How long does it take for the money to arrive in another country?',
  ],
  ['Where can I see my card PIN?', 'What happens if I enter my PIN wrong three times?'],
  ['What is the age limit to open an account?', 'Can my child have a card linked to my account?'],
  ['How do I dispute a card payment?', 'How long does a dispute take to resolve?'],
  ['Can I receive my salary into this account?', 'When will my salary show up in my balance?'],
  ['Why is my balance not updated after a cash deposit?', 'Where can I deposit cash?'],
  ['How do I link my card to another account?', 'Can I unlink my card later?'],
  ['Is my money protected if you go bust?', 'How much of my money is protected?'],
  [
    'How do I get a refund for an item I returned?',
    'How long until the refund shows in my account?',
  ],
]

function buildPairs(random: () => number): Pair[] {
  const rows = parseCsv(readFileSync(DATA, 'utf8'))
    .slice(1)
    .filter((r) => r.length === 2 && r[0]!.trim())
  const byIntent = new Map<string, string[]>()
  for (const [text, intent] of rows) {
    const list = byIntent.get(intent!) ?? []
    list.push(text!)
    byIntent.set(intent!, list)
  }
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  // Hard negatives share the most raw words (stopwords included) with the question.
  const words = (text: string) => new Set(normalise(text).split(' '))
  const jaccard = (x: Set<string>, y: Set<string>) => {
    let shared = 0
    for (const w of x) if (y.has(w)) shared++
    return shared / (x.size + y.size - shared)
  }
  const pairs: Pair[] = []
  const seen = new Set<string>()
  const add = (pair: Pair) => {
    const key = `${pair.a}\u0000${pair.b}`
    if (pair.a === pair.b || seen.has(key)) return false
    seen.add(key)
    pairs.push(pair)
    return true
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
    const wa = words(a!)
    let best: string | undefined
    let bestScore = -1
    for (let i = 0; i < HARD_POOL; i++) {
      const [b, ib] = pick(rows)
      const score = jaccard(wa, words(b!))
      if (ib !== ia && score > bestScore) {
        best = b
        bestScore = score
      }
    }
    if (best) add({ a: a!, b: best, same: false, kind: 'hard other intent' })
  }
  for (const followUp of GENERIC_FOLLOW_UPS) {
    for (let i = 0; i < 10; i++)
      add({ a: pick(rows)[0]!, b: followUp, same: false, kind: 'follow-up' })
  }
  for (const [a, b] of SPECIFIC_FOLLOW_UPS) add({ a, b, same: false, kind: 'follow-up' })
  return pairs
}

type Scorer = (a: string, b: string) => number

// Alternatives measured with --compare; the shipped detector uses `promptSimilarity`.
const edit = (a: string, b: string) => 1 - distance(a, b) / Math.max(a.length, b.length, 1)
const jaccard = (a: string[], b: string[]) => {
  const x = new Set(a)
  const y = new Set(b)
  let shared = 0
  for (const w of x) if (y.has(w)) shared++
  return x.size + y.size ? shared / (x.size + y.size - shared) : 0
}
const raw = (text: string) => normalise(text).split(' ')
const SCORERS: Record<string, Scorer> = compare
  ? {
      'shipped: mean(edit, jaccard) over topic-word stems': promptSimilarity,
      'edit over topic-word stems': (a, b) =>
        edit(promptTerms(a).join(' '), promptTerms(b).join(' ')),
      'jaccard over topic-word stems': (a, b) => jaccard(promptTerms(a), promptTerms(b)),
      'mean(edit, jaccard) over all words (no stopwords, no stems)': (a, b) =>
        (edit(normalise(a), normalise(b)) + jaccard(raw(a), raw(b))) / 2,
      'edit over all characters': (a, b) => edit(normalise(a), normalise(b)),
    }
  : { 'shipped: mean(edit, jaccard) over topic-word stems': promptSimilarity }

const THRESHOLDS = Array.from({ length: 14 }, (_, i) => Math.round((0.3 + i * 0.05) * 100) / 100)

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '  n/a')

const pairs = buildPairs(rng(seed))
const counts = new Map<string, number>()
for (const p of pairs) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1)
console.log(`seed ${seed}: ${pairs.length} pairs`, Object.fromEntries(counts))

for (const [name, score] of Object.entries(SCORERS)) {
  const scored = pairs.map((p) => ({ ...p, s: score(p.a, p.b) }))
  console.log(`\n${name}`)
  console.log('threshold  precision  recall   F0.5     false rephrases (hard / follow-up)')
  for (const t of THRESHOLDS) {
    let tp = 0
    let fp = 0
    let fn = 0
    let fpHard = 0
    let fpFollow = 0
    for (const p of scored) {
      const hit = p.s >= t
      if (hit && p.same) tp++
      else if (hit) {
        fp++
        if (p.kind === 'hard other intent') fpHard++
        if (p.kind === 'follow-up') fpFollow++
      } else if (p.same) fn++
    }
    const precision = tp / (tp + fp)
    const recall = tp / (tp + fn)
    const f05 = (1.25 * precision * recall) / (0.25 * precision + recall)
    const mark = t === REPHRASE_THRESHOLD ? '  <- default' : ''
    console.log(
      `${t.toFixed(2).padStart(9)}  ${pct(precision).padStart(9)}  ${pct(recall).padStart(7)}  ${pct(f05).padStart(7)}  ${String(fp).padStart(5)} (${fpHard} / ${fpFollow})${mark}`,
    )
  }
}
