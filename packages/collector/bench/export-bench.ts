// Export benchmark: 1,000,000 events stored in a real SQLite file, then the native export
// three ways (store read only, the shared streaming code, the HTTP route end to end), three
// runs each, medians, with RSS and heap sampled every 50,000 events to show memory stays flat.
//
// Run: node --expose-gc --import tsx packages/collector/bench/export-bench.ts [events] [--db file]
// With --db, an existing file holding exactly [events] events is reused instead of refilled.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@tightloop/pipeline'
import type { Signal, StoredEvent } from '@tightloop/schema'
import { createCollector } from '../src/app.ts'
import { provisionProject } from '../src/provision.ts'
import { exportEvents, loadExportRules, runExport } from '../src/routes/export.ts'
import { startServer } from '../src/server.ts'
import { createSqliteStore } from '../src/store/sqlite.ts'
import type { EventRow, Store } from '../src/store/types.ts'

const args = process.argv.slice(2)
const dbFlag = args.indexOf('--db')
const EVENTS = Number(
  args.find((a, i) => /^\d+$/.test(a) && !['--db', '--runs'].includes(args[i - 1]!)) ?? 1_000_000,
)
const runsFlag = args.indexOf('--runs')
const RUNS = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 3
const DAY_MS = 86_400_000
const NOW = Date.now()
const SPAN_MS = 60 * DAY_MS // 60 days of traffic: the oldest quarter is past the 45-day TTL
const INSERT_BATCH = 1_000
const INSERTS_IN_FLIGHT = 8
const SAMPLE_MS = 50
const TARGET_EVENTS_PER_S = 200_000 // issue 5: native export, filtered, memory flat
const MiB = 1024 * 1024

const dir = dbFlag >= 0 ? undefined : mkdtempSync(join(tmpdir(), 'tightloop-export-bench-'))
const file = dbFlag >= 0 ? args[dbFlag + 1]! : join(dir!, 'bench.db')

// ---- synthetic traffic: the mix of a support bot, texts from a pool, 1 % resubmissions ----

const TOPICS = ['refund', 'invoice', 'password', 'plan', 'export', 'team seat', 'API key', 'card']
const VERBS = ['change', 'cancel', 'find', 'reset', 'download', 'update', 'remove', 'add']
const random = seededRandom(42)
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
const POOL = Array.from({ length: 2_000 }, (_, i) => {
  const topic = pick(TOPICS)
  const verb = pick(VERBS)
  const response = `To ${verb} your ${topic}, open Settings, choose Billing and press "${verb}". The change applies at the end of the current period, and you get an e-mail confirming it (ref ${i}).`
  return {
    prompt: `How do I ${verb} my ${topic}? I tried the dashboard but could not find it (${i}).`,
    response,
    correction: `You ${verb} the ${topic} under Account > ${topic}, not Billing; it applies at once and the e-mail follows within an hour.`,
  }
})

/** Time-ordered ids, as the browser client makes them (random ids insert 6x slower). */
const eventId = (i: number) => `ev-${i.toString().padStart(9, '0')}`

function makeEvent(i: number, previous: StoredEvent | undefined): StoredEvent {
  if (previous && random() < 0.01) return { ...previous, eventId: eventId(i) }
  const text = pick(POOL)
  const ms = NOW - SPAN_MS + Math.floor((i / EVENTS) * SPAN_MS)
  const at = new Date(ms).toISOString()
  const base = {
    eventId: eventId(i),
    requestId: `req-${i}`,
    sessionId: `s-${i >> 3}`,
    userId: `u-${Math.floor(random() * 50_000)}`,
    occurredAt: at,
    receivedAt: at,
    prompt: text.prompt,
    response: text.response,
    productVersion: 'v7',
  }
  const r = random()
  if (r < 0.7) return { ...base, signal: 'response_shown' }
  if (r < 0.76) return { ...base, signal: 'thumbs_up' }
  if (r < 0.81) return { ...base, signal: 'thumbs_down' }
  if (r < 0.86) return { ...base, signal: 'csat', csat: 1 + Math.floor(random() * 5) }
  if (r < 0.88) return { ...base, signal: 'explicit_correction', correctionText: text.correction }
  if (r < 0.9) return { ...base, signal: 'agent_escalation', escalationReason: 'wrong_answer' }
  if (r < 0.93) return { ...base, signal: 'session_abandon', idleMs: 90_000 }
  return { ...base, signal: 'rephrase', rephraseOf: `req-${i - 1}`, similarity: 0.8 }
}

function toRow(event: StoredEvent): EventRow {
  const ms = Date.parse(event.receivedAt)
  return {
    eventId: event.eventId,
    signal: event.signal as Signal,
    requestId: event.requestId,
    userId: event.userId,
    occurredAt: ms,
    receivedAt: ms,
    productVersion: event.productVersion ?? null,
    event,
  }
}

async function fill(store: Store, projectId: string): Promise<number> {
  const started = performance.now()
  let previous: StoredEvent | undefined
  let next = 0
  const worker = async () => {
    while (next < EVENTS) {
      const from = next
      next = Math.min(next + INSERT_BATCH, EVENTS)
      const rows: EventRow[] = []
      for (let i = from; i < next; i++) {
        previous = makeEvent(i, previous)
        rows.push(toRow(previous))
      }
      await store.insertEvents(projectId, rows)
    }
  }
  await Promise.all(Array.from({ length: INSERTS_IN_FLIGHT }, worker))
  return (performance.now() - started) / 1000
}

// ---- measurement ----

interface Sample {
  ms: number
  rss: number
  heap: number
}

interface Result {
  mode: string
  seconds: number
  events: number
  records: number
  bytes: number
  samples: Sample[]
}

/**
 * Samples RSS and heap every SAMPLE_MS until stopped. The loops below give the event loop a
 * turn every chunk, so the timer fires during the export, not only after it.
 */
function startSampling(): { stop(): Sample[] } {
  const samples: Sample[] = []
  const started = performance.now()
  const take = () => {
    const m = process.memoryUsage()
    samples.push({ ms: performance.now() - started, rss: m.rss, heap: m.heapUsed })
  }
  take()
  const timer = setInterval(take, SAMPLE_MS)
  return {
    stop() {
      clearInterval(timer)
      take()
      return samples
    },
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

function settle() {
  ;(globalThis as { gc?: () => void }).gc?.()
}

async function readOnly(store: Store, projectId: string): Promise<Result> {
  settle()
  const sampler = startSampling()
  const started = performance.now()
  let events = 0
  for await (const _ of store.streamEvents(projectId)) {
    if (++events % 10_000 === 0) await turn()
  }
  const seconds = (performance.now() - started) / 1000
  return {
    mode: 'store.streamEvents (read, every payload parsed)',
    seconds,
    events,
    records: 0,
    bytes: 0,
    samples: sampler.stop(),
  }
}

async function inProcess(store: Store, projectId: string): Promise<Result> {
  settle()
  const project = (await store.getProject(projectId))!
  const sampler = startSampling()
  const started = performance.now()
  const rules = await loadExportRules(store, project, Date.now())
  const run = runExport(exportEvents(store, projectId), rules, { format: 'native' })
  let bytes = 0
  for await (const text of run.chunks) {
    bytes += Buffer.byteLength(text)
    await turn()
  }
  const seconds = (performance.now() - started) / 1000
  const report = run.report()
  return {
    mode: 'runExport (the code behind the route and the CLI)',
    seconds,
    events: report.events,
    records: report.records,
    bytes,
    samples: sampler.stop(),
  }
}

async function overHttp(store: Store, secretKey: string): Promise<Result> {
  settle()
  const app = createCollector({ store })
  const server = await startServer({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  try {
    const sampler = startSampling()
    // curl times the request itself, so its own start-up is not counted.
    const out = join(tmpdir(), `tightloop-export-${process.pid}.ndjson`)
    try {
      const timing = await download(
        `${server.url}/v1/export?format=native&stats=trailer`,
        secretKey,
        out,
      )
      const samples = sampler.stop() // before the file is read back into this process
      if (timing.status !== 200) throw new Error(`export answered ${timing.status}`)
      return {
        mode: 'GET /v1/export?format=native over HTTP',
        seconds: timing.seconds,
        ...countExport(out),
        samples,
      }
    } finally {
      rmSync(out, { force: true })
    }
  } finally {
    await server.close()
  }
}

/**
 * Downloads `url` with curl into `out` (a lean client in another process, as a training job
 * would be; a node client on this 2-core machine took CPU from the server).
 */
async function download(url: string, key: string, out: string) {
  const timing = await new Promise<string>((done, fail) => {
    execFile(
      'curl',
      [
        '-sS',
        '-o',
        out,
        '-w',
        '%{http_code} %{time_total}',
        '-H',
        `authorization: Bearer ${key}`,
        url,
      ],
      (err, stdout) => (err ? fail(err) : done(stdout)),
    )
  })
  const [status, seconds] = timing.split(' ').map(Number) as [number, number]
  return { status, seconds }
}

/** Counts the records of a downloaded export and checks them against its stats trailer. */
function countExport(file: string) {
  const body = readFileSync(file)
  let lines = 0
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines += 1
  const last = body.subarray(body.lastIndexOf(10, body.length - 2) + 1).toString()
  const stats = JSON.parse(last).tightloop_export_stats as { events: number; records: number }
  if (stats.records !== lines - 1) throw new Error('trailer and body disagree')
  return { bytes: body.length, records: lines - 1, events: stats.events }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function describe(results: Result[]) {
  const mode = results[0]!.mode
  const rates = results.map((r) => r.events / r.seconds)
  const peakRss = results.map((r) => Math.max(...r.samples.map((s) => s.rss)))
  const peakHeap = results.map((r) => Math.max(...r.samples.map((s) => s.heap)))
  const first = results.map((r) => r.samples[0]!)
  const last = results.map((r) => r.samples.at(-1)!)
  return {
    mode,
    runs: results.map((r) => `${r.seconds.toFixed(2)} s`).join(', '),
    medianSeconds: median(results.map((r) => r.seconds)),
    medianEventsPerS: Math.round(median(rates)),
    recordsPerS: Math.round(median(results.map((r) => r.records / r.seconds))),
    records: results[0]!.records,
    mib: results[0]!.bytes / MiB,
    medianPeakRssMiB: median(peakRss) / MiB,
    medianPeakHeapMiB: median(peakHeap) / MiB,
    heapFirstToLastMiB: `${(median(first.map((s) => s.heap)) / MiB).toFixed(0)} -> ${(median(last.map((s) => s.heap)) / MiB).toFixed(0)}`,
    rssFirstToLastMiB: `${(median(first.map((s) => s.rss)) / MiB).toFixed(0)} -> ${(median(last.map((s) => s.rss)) / MiB).toFixed(0)}`,
    rssCurveMiB: results[0]!.samples
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 8)) === 0)
      .map((s) => `${(s.ms / 1000).toFixed(1)}s:${(s.rss / MiB).toFixed(0)}`)
      .join(' '),
    heapCurveMiB: results[0]!.samples
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 8)) === 0)
      .map((s) => `${(s.ms / 1000).toFixed(1)}s:${(s.heap / MiB).toFixed(0)}`)
      .join(' '),
  }
}

async function main() {
  const store = createSqliteStore(file)
  await store.migrate()
  let projectId: string
  let secretKey: string
  const existing = (await store.listProjects())[0]
  if (existing && (await store.countEvents(existing.id)) === EVENTS && dbFlag >= 0) {
    // Reusing a filled file: a new secret key for this run.
    const { rotateKeys } = await import('../src/rotate.ts')
    projectId = existing.id
    secretKey = await rotateKeys(store, projectId, { kind: 'secret', graceMs: 0 })
    console.log(`reusing ${file} (${EVENTS} events)`)
  } else {
    if (existing) throw new Error(`${file} holds other data; pass a new --db path`)
    const made = await provisionProject(store, { name: 'bench' })
    projectId = made.project.id
    secretKey = made.secretKey!
    const seconds = await fill(store, projectId)
    console.log(
      `stored ${EVENTS} events in ${seconds.toFixed(1)} s (${Math.round(EVENTS / seconds)} events/s)`,
    )
  }
  const { size } = await import('node:fs').then((fs) => fs.statSync(file))
  console.log(
    `database ${(size / MiB).toFixed(0)} MiB; ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  )

  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  const all: Record<string, Result[]> = { read: [], shared: [], http: [] }
  for (let run = 0; run < RUNS; run++) {
    all.read!.push(await readOnly(store, projectId))
    all.shared!.push(await inProcess(store, projectId))
    all.http!.push(await overHttp(store, secretKey))
    console.log(`run ${run + 1}/${RUNS} done`)
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  for (const results of Object.values(all)) console.log(describe(results))
  const http = describe(all.http!)
  const verdict = http.medianEventsPerS >= TARGET_EVENTS_PER_S ? 'meets' : 'MISSES'
  console.log(
    `HTTP native export: ${http.medianEventsPerS} events/s filtered, ${verdict} the ${TARGET_EVENTS_PER_S} budget`,
  )
  await store.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  if (verdict === 'MISSES') process.exitCode = 1
}

await main()
if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true })
