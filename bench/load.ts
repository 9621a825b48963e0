// Load figures: events/s and latency of POST /v1/events in batches of 50 (and of 1), on SQLite
// and PostgreSQL, with one and two collector processes, beside two references measured in the
// same rounds: a bare Hono route that only reads the body, and a node:http server that parses it.
// Run: pnpm exec tsx bench/load.ts [--seconds 8] [--runs 3] [--only bare,parse,sqlite,postgres] [--processes 1,2] [--batch 1,50] [--connections 32]
// TIGHTLOOP_BENCH_OBSERVE=1 measures the collector with metrics and JSON request logs on.
// PostgreSQL needs TIGHTLOOP_TEST_POSTGRES (an admin connection string); each run gets a fresh database.
// Exits non-zero when a one-process budget (TARGETS, P99_TARGET_MS) is missed.
import { type ChildProcess, spawn } from 'node:child_process'
import cluster from 'node:cluster'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import nodeHttp from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  createCollector,
  createLogger,
  createMetrics,
  createPostgresStore,
  createSqliteStore,
  provisionProject,
  type Store,
  startServer,
} from '@tightloop/collector'
import { createTestDatabase } from '@tightloop/collector/testing'
import autocannon from 'autocannon'
import { Hono } from 'hono'

let BATCH = 50 // events per request, as the browser client sends them (--batch)
let CONNECTIONS = 32 // --connections
const WARMUP_S = 2
const PUBLIC_KEY = 'pk_load_bench_key_0001'
const TARGETS = { sqlite: 100_000, postgres: 30_000 } // events/s on 2 cores, batches of 50
const SINGLE_EVENT_RATIO = 0.4 // batches of 1: requests/s at least 40 % of the bare route's
const P99_TARGET_MS = 20 // at 70 % of the measured maximum
const PARTIAL_LOAD = 0.7
/** The issue's note beside the target: a node:http server that only parses these bodies does ~400,000 events/s on its machine. */
const PARSE_YARDSTICK = 400_000

type Engine = 'bare' | 'parse' | 'sqlite' | 'postgres'
/** The references: no storage. The issue calibrates its target on the second (~400,000/s). */
const isReference = (engine: Engine) => engine === 'bare' || engine === 'parse'
const LABELS: Record<Engine, string> = {
  bare: 'bare Hono route',
  parse: 'node:http, JSON.parse only',
  sqlite: 'sqlite',
  postgres: 'postgres',
}

// ---- server side: `load.ts --serve <engine> <workers> <port> <database>` -------------------

async function openStore(engine: Engine, database: string): Promise<Store> {
  return engine === 'postgres' ? createPostgresStore(database) : createSqliteStore(database)
}

async function serve(engine: Engine, workers: number, port: number, database: string) {
  if (cluster.isPrimary) {
    if (!isReference(engine)) {
      // Schema and project exist before any worker starts, so workers never race to create them.
      const store = await openStore(engine, database)
      await store.migrate()
      await provisionProject(store, { name: 'load', allowedOrigins: ['*'], publicKey: PUBLIC_KEY })
      await store.close()
    }
    for (let i = 0; i < workers; i++) cluster.fork()
    const pids: number[] = []
    cluster.on('listening', (worker) => {
      pids.push(worker.process.pid!)
      if (pids.length === workers) process.stdout.write(`ready ${pids.join(',')}\n`)
    })
    cluster.on('exit', () => process.exit(1))
    return
  }
  if (engine === 'parse') {
    // The issue's yardstick: a node:http server that only reads and parses the same bodies.
    const reply = (n: number) => JSON.stringify({ accepted: n, duplicates: 0, rejected: [] })
    nodeHttp
      .createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: unknown[] }
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(reply(body.events.length))
        })
      })
      .listen(port, '127.0.0.1')
    return
  }
  let fetch: (request: Request, env: unknown) => Response | Promise<Response>
  if (engine === 'bare') {
    // The reference: same HTTP stack and body read, no parsing, validation or storage.
    const app = new Hono()
    app.post('/v1/events', async (c) => {
      const text = await c.req.text()
      return c.json({ accepted: text.length > 0 ? BATCH : 0, duplicates: 0, rejected: [] })
    })
    fetch = app.fetch
  } else {
    const store = await openStore(engine, database)
    // No limits: the figure is the ingest path itself. TIGHTLOOP_BENCH_OBSERVE=1 adds what a
    // production server runs besides: metrics and a JSON log line per request.
    const observe =
      process.env.TIGHTLOOP_BENCH_OBSERVE === '1'
        ? { metrics: createMetrics(), logger: createLogger('json') }
        : {}
    fetch = createCollector({ store, ...observe }).fetch
  }
  await startServer({ fetch, port })
}

// ---- load side ---------------------------------------------------------------------------

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1]! : fallback
}

const freePort = async () => {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  probe.close()
  return port
}

/** A request body of BATCH events; `ids` splices a fresh run of ids in per request. */
function bodyFactory() {
  const occurredAt = new Date().toISOString()
  const marker = '@@id@@' // printable: JSON.stringify would escape a control character
  const events = Array.from({ length: BATCH }, (_, i) => ({
    eventId: `${marker}${String(i).padStart(3, '0')}`,
    signal: i % 2 ? 'thumbs_down' : 'response_shown',
    requestId: `req-${i}`,
    sessionId: 'sess-load',
    userId: `user-${i % 7}`,
    occurredAt,
    prompt: 'How do I reset my password if I no longer have access to my e-mail?',
    response:
      'Open Settings, choose Security, then Reset password and follow the steps sent to you.',
    productVersion: '2026.11',
  }))
  const parts = JSON.stringify({ events, client: { sdk: 'load', storage: 'indexeddb' } }).split(
    marker,
  )
  // Time-ordered ids, as the browser client makes them (a counter after the start time):
  // random ids would measure B-tree page splits instead (see DESIGN.md on eventId).
  let n = 0
  const prefix = `l${Date.now().toString(36)}`
  return () => {
    n += 1
    const id = `${prefix}${n.toString(36).padStart(7, '0')}`
    let out = parts[0]!
    for (let i = 1; i < parts.length; i++) out += id + parts[i]
    return out
  }
}

interface Figures {
  eventsPerS: number
  p50: number
  p99: number
}

/**
 * CPU time (user + system) of every thread of the server processes, from /proc (Linux only):
 * where an event's cost goes. Keyed `pid` for a process's main (HTTP) thread, `pid/tid` for
 * its other threads (the SQLite writer and checkpointer, GC and libuv helpers).
 */
function threadTimes(pids: number[]): Map<string, number> | undefined {
  if (process.platform !== 'linux') return undefined
  const ticks = new Map<string, number>()
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime and stime: fields 14 and 15 of stat, 11 and 12 counting from the state after `)`.
      ticks.set(
        tid === String(pid) ? String(pid) : `${pid}/${tid}`,
        Number(fields[11]) + Number(fields[12]),
      )
    }
  }
  return ticks
}

interface CpuShare {
  /** µs of CPU per event: all server threads, the HTTP thread(s), the busiest other thread. */
  total: number
  http: number
  otherMax: number
}

function cpuPerEvent(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
  events: number,
): CpuShare | undefined {
  if (!before || !after || events === 0) return undefined
  const TICK_US = 10_000 // USER_HZ is 100 on Linux
  let total = 0
  let http = 0
  let otherMax = 0
  for (const [thread, end] of after) {
    const used = (end - (before.get(thread) ?? 0)) * TICK_US
    total += used
    if (thread.includes('/')) otherMax = Math.max(otherMax, used)
    else http += used
  }
  return { total: total / events, http: http / events, otherMax: otherMax / events }
}

/** One request first: a figure only counts if the events are really stored, not rejected. */
async function checkAccepted(url: string) {
  const res = await fetch(`${url}/v1/events?key=${PUBLIC_KEY}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: bodyFactory()(),
  })
  const answer = (await res.json()) as { accepted?: number }
  if (answer.accepted !== BATCH)
    throw new Error(`the bench body is not accepted: ${JSON.stringify(answer).slice(0, 300)}`)
}

async function cannon(url: string, seconds: number, overallRate?: number): Promise<Figures> {
  const nextBody = bodyFactory()
  const result = await autocannon({
    url: `${url}/v1/events?key=${PUBLIC_KEY}`,
    connections: CONNECTIONS,
    duration: seconds,
    ...(overallRate && { overallRate }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: nextBody() }),
      },
    ],
  })
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
    )
  }
  return {
    eventsPerS: (result.requests.total / seconds) * BATCH,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

async function startTarget(engine: Engine, workers: number) {
  let database = ''
  let cleanup = async () => {}
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tightloop-load-'))
    database = join(dir, 'load.db')
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else if (engine === 'postgres') {
    const admin = process.env.TIGHTLOOP_TEST_POSTGRES
    if (!admin) throw new Error('set TIGHTLOOP_TEST_POSTGRES to measure PostgreSQL')
    const db = await createTestDatabase(admin)
    database = db.url
    cleanup = db.drop
  }
  const port = await freePort()
  const self = fileURLToPath(import.meta.url)
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      self,
      '--serve',
      engine,
      String(workers),
      String(port),
      database,
      String(BATCH),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const [ready] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
  const pids = ready.split(' ')[1]!.split(',').map(Number)
  return { url: `http://127.0.0.1:${port}`, child, cleanup, pids }
}

async function stopTarget(target: { child: ChildProcess; cleanup: () => Promise<void> }) {
  const exited = once(target.child, 'exit')
  target.child.kill('SIGKILL') // the primary; its workers exit when it does
  await exited
  await new Promise((resolve) => setTimeout(resolve, 300)) // let the workers let go of the files
  await target.cleanup()
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const seconds = Number(option('seconds', '8'))
  const runs = Number(option('runs', '3'))
  const only = option('only', 'bare,parse,sqlite,postgres').split(',') as Engine[]
  const processCounts = option('processes', '1,2').split(',').map(Number)
  const batches = option('batch', '50').split(',').map(Number)
  CONNECTIONS = Number(option('connections', String(CONNECTIONS)))
  const rows: {
    engine: Engine
    workers: number
    batch: number
    max: Figures
    partial: Figures
    cpu: CpuShare | undefined
    /** Median over the runs of this run's events/s ÷ the bare route's in the same round. */
    ratio: number | undefined
    /** The same against the node:http parse-only server, when it was measured. */
    parseRatio: number | undefined
  }[] = []
  type Runs = { max: Figures[]; partial: Figures[]; cpu: CpuShare[] }
  for (const batch of batches) {
    BATCH = batch
    const runsOf = new Map<string, Runs>()
    const of = (engine: Engine, workers: number) => {
      const key = `${engine}/${workers}`
      if (!runsOf.has(key)) runsOf.set(key, { max: [], partial: [], cpu: [] })
      return runsOf.get(key)!
    }
    // Round by round, each target once per round: the bare route is measured beside each
    // target, so a ratio compares runs minutes apart, not a whole invocation apart (this
    // shared machine's speed drifts by tens of percent within the hour).
    for (let r = 0; r < runs; r++) {
      for (const engine of only) {
        for (const workers of processCounts) {
          const target = await startTarget(engine, workers)
          try {
            await checkAccepted(target.url)
            await cannon(target.url, WARMUP_S)
            const before = threadTimes(target.pids)
            const full = await cannon(target.url, seconds)
            const share = cpuPerEvent(before, threadTimes(target.pids), full.eventsPerS * seconds)
            const rate = Math.round((PARTIAL_LOAD * full.eventsPerS) / BATCH)
            const part = await cannon(target.url, seconds, rate)
            const measured = of(engine, workers)
            measured.max.push(full)
            measured.partial.push(part)
            if (share) measured.cpu.push(share)
            console.error(
              `batch ${BATCH}: ${engine} x${workers} run ${r + 1}: ${Math.round(full.eventsPerS)} events/s (p50 ${full.p50} ms, p99 ${full.p99} ms); at 70 %: p50 ${part.p50} ms, p99 ${part.p99} ms${share ? `; CPU µs/event ${share.total.toFixed(1)} (HTTP ${share.http.toFixed(1)}, busiest other ${share.otherMax.toFixed(1)})` : ''}`,
            )
          } finally {
            await stopTarget(target)
          }
        }
      }
    }
    const pick = (xs: Figures[]) => ({
      eventsPerS: median(xs.map((x) => x.eventsPerS)),
      p50: median(xs.map((x) => x.p50)),
      p99: median(xs.map((x) => x.p99)),
    })
    for (const engine of only) {
      for (const workers of processCounts) {
        const { max, partial, cpu } = of(engine, workers)
        const ratioTo = (reference: Engine) => {
          const ref = runsOf.get(`${reference}/${workers}`)
          return ref ? median(max.map((m, r) => m.eventsPerS / ref.max[r]!.eventsPerS)) : undefined
        }
        rows.push({
          engine,
          workers,
          batch,
          max: pick(max),
          partial: pick(partial),
          cpu: cpu.length
            ? {
                total: median(cpu.map((c) => c.total)),
                http: median(cpu.map((c) => c.http)),
                otherMax: median(cpu.map((c) => c.otherMax)),
              }
            : undefined,
          ratio: ratioTo('bare'),
          parseRatio: ratioTo('parse'),
        })
      }
    }
  }
  console.log(
    `POST /v1/events, ${CONNECTIONS} connections, ${seconds} s per run after ${WARMUP_S} s warm-up, median of ${runs} runs; a ratio is the median of each run's ratio to the bare route's run in its round`,
  )
  console.log(
    '| target | batch | processes | events/s | vs bare route | vs node:http parse | p50 / p99 ms at max | p50 / p99 ms at 70 % | server CPU µs/event: all / HTTP / busiest other thread | target |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const share = r.ratio
    const ratio = r.engine === 'bare' ? '1.00' : share !== undefined ? share.toFixed(3) : '–'
    const parseRatio = r.parseRatio !== undefined ? r.parseRatio.toFixed(3) : '–'
    const goal = r.engine === 'sqlite' || r.engine === 'postgres' ? TARGETS[r.engine] : undefined
    let verdict = '–'
    if (r.engine === 'sqlite' && r.batch === 1) {
      verdict =
        share === undefined
          ? 'needs the bare route'
          : `≥ ${SINGLE_EVENT_RATIO * 100} % of bare: ${share >= SINGLE_EVENT_RATIO ? 'met' : 'missed'}`
    } else if (goal !== undefined && r.batch === 50) {
      verdict = `≥ ${goal.toLocaleString('en')}/s: ${r.max.eventsPerS >= goal ? 'met' : 'missed'}${r.parseRatio !== undefined ? ` (${Math.round(r.parseRatio * PARSE_YARDSTICK).toLocaleString('en')}/s where node:http parse does ${PARSE_YARDSTICK.toLocaleString('en')})` : ''}${r.engine === 'sqlite' ? `; p99 < ${P99_TARGET_MS} ms at 70 %: ${r.partial.p99 < P99_TARGET_MS ? 'met' : 'missed'}` : ''}`
    }
    // The budgets hold for one process; a second is reported, not judged.
    if (r.workers === 1 && verdict.includes('missed')) process.exitCode = 1
    const cpu = r.cpu
      ? `${r.cpu.total.toFixed(1)} / ${r.cpu.http.toFixed(1)} / ${r.cpu.otherMax.toFixed(1)}`
      : '–'
    console.log(
      `| ${LABELS[r.engine]} | ${r.batch} | ${r.workers} | ${Math.round(r.max.eventsPerS).toLocaleString('en')} | ${ratio} | ${parseRatio} | ${r.max.p50} / ${r.max.p99} | ${r.partial.p50} / ${r.partial.p99} | ${cpu} | ${verdict} |`,
    )
  }
}

if (process.argv[2] === '--serve') {
  BATCH = Number(process.argv[7] ?? BATCH)
  await serve(
    process.argv[3] as Engine,
    Number(process.argv[4]),
    Number(process.argv[5]),
    process.argv[6] ?? '',
  )
} else {
  await main()
}
