// Export throughput: 1,000,000 generated stored events through the streaming builder and
// native NDJSON serialisation, three runs, median rates, memory sampled as it goes.
// Run: pnpm exec tsx packages/pipeline/bench/export-bench.ts [events]
import type { StoredEvent } from '@tightloop/schema'
import { createExportBuilder } from '../src/export-builder.ts'
import { toNdjsonLine } from '../src/formats.ts'
import { intBetween, pick, seededRandom } from '../src/testing/random.ts'
import { makeAnswer, makeHonestCorrection, makePrompt } from '../src/testing/support-text.ts'

const EVENTS = Number(process.argv[2] ?? 1_000_000)
const RUNS = 3
const NOW = Date.parse('2026-11-26T00:00:00Z')
const WINDOW_MS = 60 * 86_400_000 // 60 days: some events fall past the 45-day TTL
const TARGET_EVENTS_PER_S = 200_000 // the pipeline's budget
const SAMPLE_EVERY = 50_000

/** A cursor over synthetic events: a pool of texts reused, ids and times fresh per event. */
function* cursor(count: number, seed: number): Generator<StoredEvent> {
  const random = seededRandom(seed)
  const pool = Array.from({ length: 2_000 }, () => {
    const response = makeAnswer(random)
    return {
      prompt: makePrompt(random),
      response,
      correction: makeHonestCorrection(random, response),
    }
  })
  const reasons = ['wrong_answer', 'incomplete_answer', 'user_requested_human']
  let previous: StoredEvent | undefined
  for (let i = 0; i < count; i++) {
    // About 1 % are a client resubmitting the previous event under a new id.
    if (previous && random() < 0.01) {
      yield { ...previous, eventId: `ev-${seed}-${i}` }
      continue
    }
    const text = pick(random, pool)
    const at = new Date(NOW - (1 - (i + 1) / count) * WINDOW_MS).toISOString()
    const r = random()
    const base = {
      eventId: `ev-${seed}-${i}`,
      requestId: `req-${seed}-${i}`,
      sessionId: `s-${i >> 3}`,
      userId: `u-${intBetween(random, 0, 50_000)}`,
      occurredAt: at,
      clientOccurredAt: at,
      receivedAt: at,
      prompt: text.prompt,
      response: text.response,
      productVersion: 'v7',
    }
    let event: StoredEvent
    if (r < 0.7) event = { ...base, signal: 'response_shown' }
    else if (r < 0.76) event = { ...base, signal: 'thumbs_up' }
    else if (r < 0.81) event = { ...base, signal: 'thumbs_down' }
    else if (r < 0.86) event = { ...base, signal: 'csat', csat: intBetween(random, 1, 5) }
    else if (r < 0.88)
      event = { ...base, signal: 'explicit_correction', correctionText: text.correction }
    else if (r < 0.9)
      event = { ...base, signal: 'agent_escalation', escalationReason: pick(random, reasons) }
    else if (r < 0.93) event = { ...base, signal: 'session_abandon', idleMs: 90_000 }
    else
      event = { ...base, signal: 'rephrase', rephraseOf: `req-${seed}-${i - 1}`, similarity: 0.8 }
    previous = event
    yield event
  }
}

interface Run {
  seconds: number
  events: number
  rows: number
  bytes: number
  peakRss: number
  peakHeap: number
  heapSamples: number[]
}

function run(seed: number): Run {
  const builder = createExportBuilder({
    now: NOW,
    adversaries: new Set(Array.from({ length: 500 }, (_, i) => `u-${i * 97}`)),
    versionChanges: [{ version: 'v7', changedAt: NOW - 50 * 86_400_000 }],
  })
  let bytes = 0
  let chunk = ''
  let peakRss = 0
  let peakHeap = 0
  const heapSamples: number[] = []
  let i = 0
  const start = process.hrtime.bigint()
  for (const event of cursor(EVENTS, seed)) {
    for (const row of builder.push(event)) chunk += toNdjsonLine(row)
    // Hand 64 KiB chunks to the "socket", as a streamed response would.
    if (chunk.length > 65_536) {
      bytes += Buffer.byteLength(chunk)
      chunk = ''
    }
    if (++i % SAMPLE_EVERY === 0) {
      const memory = process.memoryUsage()
      peakRss = Math.max(peakRss, memory.rss)
      peakHeap = Math.max(peakHeap, memory.heapUsed)
      heapSamples.push(memory.heapUsed)
    }
  }
  bytes += Buffer.byteLength(chunk)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const stats = builder.stats()
  return { seconds, events: stats.events, rows: stats.rows, bytes, peakRss, peakHeap, heapSamples }
}

const mib = (n: number) => `${(n / 1_048_576).toFixed(1)} MiB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

console.log(`$ pnpm exec tsx packages/pipeline/bench/export-bench.ts ${EVENTS}`)
console.log(
  `node ${process.version}, ${EVENTS.toLocaleString('en')} events per run, ${RUNS} runs\n`,
)
const runs: Run[] = []
for (let r = 0; r < RUNS; r++) {
  const result = run(r + 1)
  runs.push(result)
  const heapMiB = result.heapSamples.map((h) => (h / 1_048_576).toFixed(0))
  console.log(
    `run ${r + 1}: ${result.seconds.toFixed(2)} s, ${Math.round(result.events / result.seconds).toLocaleString('en')} events/s, ${Math.round(result.rows / result.seconds).toLocaleString('en')} rows/s, ${result.rows.toLocaleString('en')} rows, ${mib(result.bytes)} NDJSON, peak RSS ${mib(result.peakRss)}, peak heap ${mib(result.peakHeap)}`,
  )
  console.log(
    `       heap every ${SAMPLE_EVERY.toLocaleString('en')} events (MiB): ${heapMiB.join(' ')}`,
  )
}
// The synthetic cursor's own cost, so the pipeline's share of each run is visible.
const cursorStart = process.hrtime.bigint()
let synthesized = 0
for (const _ of cursor(EVENTS, 1)) synthesized++
const cursorSeconds = Number(process.hrtime.bigint() - cursorStart) / 1e9
console.log(
  `cursor alone (generating ${synthesized.toLocaleString('en')} events): ${cursorSeconds.toFixed(2)} s`,
)
const eventsPerS = median(runs.map((r) => r.events / r.seconds))
const rowsPerS = median(runs.map((r) => r.rows / r.seconds))
console.log(
  `\nmedian of ${RUNS}: ${Math.round(eventsPerS).toLocaleString('en')} events/s, ${Math.round(rowsPerS).toLocaleString('en')} rows/s; peak RSS ${mib(Math.max(...runs.map((r) => r.peakRss)))}, peak heap ${mib(Math.max(...runs.map((r) => r.peakHeap)))}`,
)
console.log(
  `budget ${TARGET_EVENTS_PER_S.toLocaleString('en')} events/s: ${eventsPerS >= TARGET_EVENTS_PER_S ? 'met' : 'MISSED'}`,
)
if (eventsPerS < TARGET_EVENTS_PER_S) process.exitCode = 1
