// The headless client in a real page: @tightloop/client bundled for the browser (minified, as
// shipped), a test page on its own loopback origin, and a fault-injecting front in front of the
// real collector that records every request body it sees.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestCollector, type TestCollector } from '@tightloop/collector/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { launchBrowser, type TestBrowser } from './browser.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const clientRoot = join(root, 'packages/client')
const cacheDir = join(root, 'node_modules/.cache/tightloop-client-browser')
const BUNDLE_RECIPE = 'vite lib es, deps bundled, oxc minify (compress, mangle)' // part of the cache key

// Every file the bundle is made of (client sources and the schema limits it inlines).
function sourceFiles(): string[] {
  const list = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(dir, f))
  return [
    ...list(join(clientRoot, 'src')),
    ...list(join(root, 'packages/schema/src')),
    join(clientRoot, 'package.json'),
  ].sort()
}

/**
 * The client as one minified ES module with its dependencies bundled (idb-keyval,
 * fastest-levenshtein, @preact/signals-core, the schema's limits): what a page would load.
 * Built once per change of the sources (cached by content hash under node_modules/.cache),
 * so the browser suites of one run share one build.
 *
 * @example const code = await buildClientBundle()
 */
export async function buildClientBundle(): Promise<string> {
  const hash = createHash('sha256').update(BUNDLE_RECIPE)
  for (const file of sourceFiles()) hash.update(file).update(readFileSync(file))
  const cached = join(cacheDir, `client-${hash.digest('hex').slice(0, 16)}.js`)
  try {
    if (statSync(cached).size > 0) return readFileSync(cached, 'utf8')
  } catch {}
  const { build, minify } = await import('vite')
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root: clientRoot,
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      lib: { entry: join(clientRoot, 'src/index.ts'), formats: ['es'], fileName: 'client' },
    },
  })
  const outputs = Array.isArray(output) ? output : [output]
  const chunks = outputs.flatMap((o) => ('output' in o ? o.output : []))
  const code = chunks.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n')
  if (!code) throw new Error('vite produced no client bundle')
  // Library mode leaves whitespace in ES output; minify fully, as scripts/size.mjs measures.
  const minified = await minify('client.js', code, { module: true, compress: true, mangle: true })
  if (minified.errors.length) throw new Error(minified.errors.map((e) => e.message).join('\n'))
  mkdirSync(cacheDir, { recursive: true })
  // Written aside then renamed: test files building at once never read half a file.
  const temp = `${cached}.${process.pid}.tmp`
  writeFileSync(temp, minified.code)
  renameSync(temp, cached)
  return minified.code
}

/** What the front did with one request. */
export type Fault = 'pass' | '5xx' | 'abort' | 'drop-after'

/** One request to `/v1/events` as the front saw it. */
export interface CapturedRequest {
  fault: Fault
  /** The collector's status, when the request reached it. */
  status?: number
  bytes: number
  contentType: string | undefined
  /** `sec-fetch-mode`: `no-cors` for a `text/plain` beacon, `cors` for fetch. */
  mode: string | undefined
  events: { eventId: string; requestId: string; signal: string }[]
  at: number
}

/** A page origin serving the test page and the bundle, and a front in front of the collector. */
export interface ClientSite {
  /** The page origin, e.g. `http://127.0.0.1:40001`: the project must allow it. */
  origin: string
  /** Where the client sends: the front, which forwards to the collector. */
  endpoint: string
  /** Every `/v1/events` POST the front received, in order. */
  requests: CapturedRequest[]
  /** Decides what happens to the next request; `pass` by default. */
  fault: (req: IncomingMessage) => Fault
  /** Collector base URL the front forwards to; set before the first page loads. */
  collectorUrl: string
  /** URL of the test page: it creates `window.client` with these options (JSON). */
  pageUrl(key: string, options?: Record<string, unknown>): string
  close(): Promise<void>
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tightloop client test</title></head>
<body>
<script type="module">
import * as tightloop from '/client.js'
const params = new URLSearchParams(location.search)
const options = JSON.parse(params.get('options') || '{}')
window.tightloop = tightloop
window.client = tightloop.createClient({
  endpoint: params.get('endpoint'),
  key: params.get('key'),
  ...options,
})
window.clientReady = true
</script>
</body></html>`

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })

function parseEvents(body: Buffer): CapturedRequest['events'] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { events?: CapturedRequest['events'] }
    return (parsed.events ?? []).map(({ eventId, requestId, signal }) => ({
      eventId,
      requestId,
      signal,
    }))
  } catch {
    return []
  }
}

/**
 * Starts the page origin and the front on two loopback ports (so the client's requests are
 * cross-origin, as on a real site). The front answers `5xx` itself (readable by the page: 500,
 * or 503 with `Retry-After: 1`), drops the connection before forwarding (`abort`), or forwards and drops
 * the connection after the collector answered, i.e. after the batch was stored (`drop-after`).
 *
 * @example const site = await startClientSite(await buildClientBundle())
 */
export async function startClientSite(bundle: string): Promise<ClientSite> {
  const sockets = new Set<Socket>()
  let failures = 0
  const pageServer = createServer((req, res) => {
    if (req.url?.startsWith('/client.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
      res.end(bundle)
    } else if (req.url?.startsWith('/page')) {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
      res.end(PAGE)
    } else {
      res.writeHead(204).end() // favicon and the like: nothing, and no console noise
    }
  })
  const frontServer = createServer(async (req, res) => {
    const origin = req.headers.origin
    const body = await readBody(req).catch(() => undefined)
    if (!body) return
    const isIngest = req.method === 'POST' && req.url?.startsWith('/v1/events')
    const fault = isIngest ? site.fault(req) : 'pass'
    const captured: CapturedRequest = {
      fault,
      bytes: body.length,
      contentType: req.headers['content-type'],
      mode: req.headers['sec-fetch-mode'] as string | undefined,
      events: isIngest ? parseEvents(body) : [],
      at: Date.now(),
    }
    if (isIngest) site.requests.push(captured)
    if (fault === 'abort') return req.socket.destroy()
    if (fault === '5xx') {
      // Alternately a bare 500 (the client backs off) and a 503 asking for a 1 s pause.
      const unavailable = failures++ % 2 === 1
      res.writeHead(unavailable ? 503 : 500, {
        'content-type': 'application/json',
        ...(unavailable && { 'retry-after': '1' }),
        ...(origin && {
          'access-control-allow-origin': origin,
          'access-control-expose-headers': 'Retry-After',
        }),
      })
      return res.end('{"error":{"code":"unavailable","message":"injected by the test front"}}')
    }
    const target = new URL(req.url ?? '/', site.collectorUrl)
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      async (answer) => {
        const answerBody = await readBody(answer).catch(() => Buffer.alloc(0))
        captured.status = answer.statusCode
        // The collector has stored the batch; the page never learns it.
        if (fault === 'drop-after') return req.socket.destroy()
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        res.end(answerBody)
      },
    )
    upstream.on('error', () => req.socket.destroy())
    upstream.end(body)
  })
  for (const server of [pageServer, frontServer]) {
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
  }
  const [pagePort, frontPort] = await Promise.all([listen(pageServer), listen(frontServer)])
  const site: ClientSite = {
    origin: `http://127.0.0.1:${pagePort}`,
    endpoint: `http://127.0.0.1:${frontPort}`,
    requests: [],
    fault: () => 'pass',
    collectorUrl: '',
    pageUrl(key, options = {}) {
      const query = new URLSearchParams({
        endpoint: site.endpoint,
        key,
        options: JSON.stringify(options),
      })
      return `${site.origin}/page.html?${query}`
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await Promise.all(
        [pageServer, frontServer].map(
          (s) => new Promise<void>((resolve) => s.close(() => resolve())),
        ),
      )
    },
  }
  return site
}

/**
 * Opens the test page in `page` and waits until `window.client` exists.
 *
 * @example await openClientPage(page, site.pageUrl(collector.publicKey))
 */
export async function openClientPage(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as ClientWindow).clientReady === true)
}

/** The seeded PRNG (mulberry32) every randomised suite uses: the same seed replays the same choices. */
export { seededRandom } from '@tightloop/pipeline'

/** The seed of a randomised suite: `TIGHTLOOP_SEED`, else a fresh one (printed by the caller). */
export const testSeed = (): number =>
  Number(process.env.TIGHTLOOP_SEED) || Math.floor(Math.random() * 2 ** 31)

/**
 * Every event the collector stored for its project, read back from the database.
 *
 * @example const rows = await storedEvents(collector)
 */
export async function storedEvents(
  collector: TestCollector,
): Promise<{ eventId: string; requestId: string; signal: string }[]> {
  const rows = []
  for await (const event of collector.store.streamEvents(collector.project.id)) rows.push(event)
  return rows
}

/** How many times each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

/**
 * Polls `check` until it returns true or `timeoutMs` passes; resolves with its last answer.
 *
 * @example await waitUntil(async () => (await storedEvents(collector)).length === 10)
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** What the test page exposes as `window.client`: the part of `FeedbackClient` tests drive. */
export interface PageClient {
  thumbsUp(answer: Answer): Promise<void>
  thumbsDown(answer: Answer & { comment?: string }): Promise<void>
  csat(answer: Answer & { score: number }): Promise<void>
  correct(answer: Answer & { correctionText: string }): Promise<void>
  shown(answer: Answer): Promise<void>
  prompted(text: string, requestId?: string): Promise<void>
  flush(): Promise<void>
  close(): Promise<void>
  status: {
    value: { storage: string; queued: number; dropped: number; online: boolean; error?: string }
  }
}
interface Answer {
  requestId: string
  prompt?: string
  response?: string
}
/** `window` of the test page. */
export type ClientWindow = typeof globalThis & { client: PageClient; clientReady?: boolean }

/** What a browser test of the client works with; fields are set by the hooks below. */
export interface ClientHarness {
  site: ClientSite
  browser: TestBrowser
  collector: TestCollector
}

/**
 * Registers the usual hooks of a client browser suite: one bundle, site and Chromium per
 * file; a fresh collector (a new project key, so a fresh queue database) per test, with the
 * site's capture cleared and every request passed through.
 *
 * @example const env = useClientHarness('tabs'); ... env.site.requests
 */
export function useClientHarness(projectName: string): ClientHarness {
  const env = {} as ClientHarness
  beforeAll(async () => {
    env.site = await startClientSite(await buildClientBundle())
    env.browser = await launchBrowser()
  })
  afterAll(async () => {
    await env.browser?.close()
    await env.site?.close()
  })
  beforeEach(async () => {
    env.collector = await startTestCollector({
      project: { name: projectName, allowedOrigins: [env.site.origin] },
    })
    env.site.collectorUrl = env.collector.url
    env.site.requests.length = 0
    env.site.fault = () => 'pass'
    return () => env.collector.close()
  })
  return env
}
