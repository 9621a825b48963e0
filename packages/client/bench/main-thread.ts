// Main-thread cost of one client call in real Chromium: the synchronous cost of `thumbsDown`
// (budget: p95 ≤ 0.1 ms), the same call with the microtasks it queues, and the time until its
// promise resolves (IndexedDB committed), beside an empty function call and a bare IndexedDB put.
//
//   pnpm exec tsx packages/client/bench/main-thread.ts [--calls 1000] [--runs 3]
//
// The page is cross-origin isolated (COOP + COEP), so performance.now() ticks in 5 µs rather
// than 100 µs. Each run is a fresh browser profile; the figures printed are medians over runs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { build } from 'vite'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
  },
})
const CALLS = Number(values.calls)
const WARMUP = Number(values.warmup)
const RUNS = Number(values.runs)
const BUDGET_P95_MS = 0.1 // the budget for the synchronous cost of one call
const CHROMIUM = process.env.TIGHTLOOP_CHROMIUM ?? '/usr/bin/chromium'
const ORIGIN = 'http://localhost:8999' // loopback is a secure context, as isolation needs; routed, never dialled

const root = fileURLToPath(new URL('..', import.meta.url))

async function bundle(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      write: false,
      minify: true,
      lib: { entry: join(root, 'src/index.ts'), formats: ['es'], fileName: 'client' },
    },
  })
  const outputs = Array.isArray(output) ? output : [output]
  return outputs
    .flatMap((o) => ('output' in o ? o.output : []))
    .map((chunk) => ('code' in chunk ? chunk.code : ''))
    .join('\n')
}

const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-store',
}

/** Per-call samples in ms, for each measured operation. */
type Samples = Record<string, number[]>

// Runs in the page. Every measurement is sequential: one call, then the next.
async function measure({ calls, warmup }: { calls: number; warmup: number }) {
  const w = window as unknown as {
    tightloop: {
      createClient(o: object): {
        thumbsDown(a: object): Promise<void>
        status: { value: { storage: string } }
      }
    }
  }
  const client = w.tightloop.createClient({ endpoint: location.origin, key: 'pk_bench' })
  const answer = (i: number) => ({
    requestId: `req-${i}`,
    prompt: 'How long does a refund to my card take?',
    response: 'Refunds reach your card within 5 to 7 business days after we receive the item.',
    comment: 'it took three weeks',
  })
  const channel = new MessageChannel()
  // Resolves in the next task: every microtask queued before it has run by then.
  const nextTask = () =>
    new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve()
      channel.port2.postMessage(0)
    })
  const noop = (_: unknown) => {}
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('bench-bare')
    request.onupgradeneeded = () => request.result.createObjectStore('s')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const json = JSON.stringify({ eventId: 'x', ...answer(0) })

  const samples: Samples = {
    'empty function call': [],
    'thumbsDown, synchronous': [],
    'empty call + next task': [],
    'thumbsDown + its microtasks (to next task)': [],
    'thumbsDown until its promise resolves': [],
    'bare IndexedDB put, synchronous': [],
    'bare IndexedDB put until committed': [],
  }
  const push = (name: string, ms: number, i: number) => {
    if (i >= warmup) samples[name]?.push(ms)
  }
  for (let i = 0; i < warmup + calls; i++) {
    let t = performance.now()
    noop(answer)
    push('empty function call', performance.now() - t, i)

    const a = answer(i)
    t = performance.now()
    const promise = client.thumbsDown(a)
    push('thumbsDown, synchronous', performance.now() - t, i)
    await promise

    t = performance.now()
    noop(a)
    await nextTask()
    push('empty call + next task', performance.now() - t, i)

    t = performance.now()
    const second = client.thumbsDown(answer(i + 1_000_000))
    await nextTask()
    push('thumbsDown + its microtasks (to next task)', performance.now() - t, i)
    await second

    t = performance.now()
    await client.thumbsDown(answer(i + 2_000_000))
    push('thumbsDown until its promise resolves', performance.now() - t, i)

    t = performance.now()
    const tx = db.transaction('s', 'readwrite')
    tx.objectStore('s').put(json, `k${i}`)
    push('bare IndexedDB put, synchronous', performance.now() - t, i)
    await new Promise((resolve) => {
      tx.oncomplete = resolve
    })
    push('bare IndexedDB put until committed', performance.now() - t, i)
  }
  return {
    samples,
    isolated: crossOriginIsolated,
    browser: navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent,
    storage: client.status.value.storage,
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0

const code = await bundle()
if (code.includes('zod')) throw new Error('zod in the browser bundle')
const runs: { name: string; p50: number; p95: number; mean: number }[][] = []
let browser = ''
for (let run = 0; run < RUNS; run++) {
  const profile = mkdtempSync(join(tmpdir(), 'tightloop-bench-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
  try {
    await context.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname
      if (path === '/client.js') {
        return route.fulfill({
          body: code,
          headers: { ...ISOLATED, 'content-type': 'text/javascript' },
        })
      }
      if (path === '/v1/events') {
        const events = (JSON.parse(route.request().postData() ?? '{}').events ?? []).length
        return route.fulfill({
          body: JSON.stringify({ accepted: events, duplicates: 0, rejected: [] }),
          headers: { ...ISOLATED, 'content-type': 'application/json' },
        })
      }
      return route.fulfill({
        body: `<!doctype html><script type="module">import * as t from '/client.js'; window.tightloop = t; window.ready = true</script>`,
        headers: { ...ISOLATED, 'content-type': 'text/html' },
      })
    })
    const page = await context.newPage()
    // tsx compiles `measure` with esbuild's keepNames, whose helper the page lacks.
    await page.addInitScript('globalThis.__name = (fn) => fn')
    await page.goto(`${ORIGIN}/`)
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
    const result = await page.evaluate(measure, { calls: CALLS, warmup: WARMUP })
    if (!result.isolated) console.warn('warning: page not cross-origin isolated (100 µs timer)')
    if (result.storage !== 'indexeddb') throw new Error(`client fell back to ${result.storage}`)
    const rows = Object.entries(result.samples).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b)
      return {
        name,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        mean: list.reduce((s, v) => s + v, 0) / list.length,
      }
    })
    runs.push(rows)
    browser = result.browser
    console.log(
      `run ${run + 1}: thumbsDown synchronous p95 ${rows[1]?.p95.toFixed(3)} ms (isolated: ${result.isolated})`,
    )
  } finally {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
}

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(10)
console.log(
  `\n${CALLS} calls after ${WARMUP} warm-up, medians of ${RUNS} runs (${browser}, performance.now() in 5 µs steps)`,
)
console.log(
  `${'operation'.padEnd(44)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'mean'.padStart(10)}`,
)
const names = runs[0]?.map((row) => row.name) ?? []
let syncP95 = Number.NaN
for (const [index, name] of names.entries()) {
  const of = (key: 'p50' | 'p95' | 'mean') => median(runs.map((rows) => rows[index]?.[key] ?? 0))
  if (name === 'thumbsDown, synchronous') syncP95 = of('p95')
  console.log(`${name.padEnd(44)}${ms(of('p50'))}${ms(of('p95'))}${ms(of('mean'))}`)
}
const within = syncP95 <= BUDGET_P95_MS
console.log(
  `budget: thumbsDown synchronous p95 ≤ ${BUDGET_P95_MS} ms: ${syncP95.toFixed(3)} ms, ${within ? 'within' : 'OVER'}`,
)
process.exit(within ? 0 : 1)
