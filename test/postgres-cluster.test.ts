// Two collector processes on one PostgreSQL: a retry storm through a lossy proxy stores every
// event exactly once, and rate limits and key rotations hold across the processes.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent, createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  createPostgresStore,
  type LimitOptions,
  provisionProject,
  rotateKeys,
  type Store,
} from '@tightloop/collector'
import { createTestDatabase, makeEvent, type TestDatabase } from '@tightloop/collector/testing'
import { seededRandom } from '@tightloop/pipeline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const url = process.env.TIGHTLOOP_TEST_POSTGRES
const required = process.env.TIGHTLOOP_REQUIRE_POSTGRES === '1'
const root = fileURLToPath(new URL('..', import.meta.url))
const runner = fileURLToPath(new URL('./support/run-collector.ts', import.meta.url))

const EVENTS = 10_000
const DROP_SHARE = 0.3 // of answers the proxy swallows after the collector has committed
const SENDERS = 20
const MAX_ATTEMPTS = 60 // per batch; 0.3^60 makes running out impossible in practice
const START_DEADLINE_MS = 30_000
const LIMITS: LimitOptions = {
  perAddress: { max: 6, windowMs: 3_600_000 },
  trustProxy: 1,
  addressSecret: 'cluster-test-secret', // one secret for both processes, so they name an address alike
}

interface Collector {
  child: ChildProcess
  url: string
}

async function startCollector(database: string): Promise<Collector> {
  const child = spawn(process.execPath, ['--import', 'tsx', runner], {
    cwd: root,
    env: { ...process.env, TIGHTLOOP_DATABASE: database, TIGHTLOOP_LIMITS: JSON.stringify(LIMITS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout! })
  const timer = setTimeout(() => child.kill('SIGKILL'), START_DEADLINE_MS)
  try {
    const [line] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`collector process exited with ${code} before listening`)
      }),
    ])) as [string]
    return { child, url: (JSON.parse(line) as { url: string }).url }
  } finally {
    clearTimeout(timer)
  }
}

async function stopCollector({ child }: Collector) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/**
 * A loopback proxy in front of both collectors (alternating): it forwards each request, waits
 * for the committed answer, and then for 30 % of them destroys the client's socket instead of
 * answering. Each request gets a fresh X-Forwarded-For, as if from its own browser.
 */
function startLossyProxy(upstreams: string[], random: () => number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 })
  const stats = { forwarded: 0, dropped: 0 }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      const n = stats.forwarded++
      const target = new URL(req.url ?? '/', upstreams[n % upstreams.length])
      const body = Buffer.concat(chunks)
      const out = httpRequest(
        target,
        {
          method: req.method,
          agent,
          headers: {
            'content-type': req.headers['content-type'] ?? 'application/json',
            'content-length': body.length,
            'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          },
        },
        (answer) => {
          const parts: Buffer[] = []
          answer.on('data', (d: Buffer) => parts.push(d))
          answer.on('end', () => {
            if (random() < DROP_SHARE) {
              stats.dropped += 1
              req.socket.destroy()
              return
            }
            res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' })
            res.end(Buffer.concat(parts))
          })
        },
      )
      out.on('error', () => req.socket.destroy())
      out.end(body)
    })
  })
  return { server, stats, agent }
}

if (url) {
  describe('two collector processes on one PostgreSQL', () => {
    let database: TestDatabase
    let store: Store
    let collectors: Collector[] = []
    let publicKey: string
    let projectId: string

    beforeAll(async () => {
      database = await createTestDatabase(url)
      // Both processes migrate the empty database at the same moment.
      collectors = await Promise.all([startCollector(database.url), startCollector(database.url)])
      store = createPostgresStore(database.url, { maxConnections: 4 })
      const provisioned = await provisionProject(store, { name: 'cluster', allowedOrigins: ['*'] })
      publicKey = provisioned.publicKey
      projectId = provisioned.project.id
    }, 60_000)

    afterAll(async () => {
      await Promise.all(collectors.map(stopCollector))
      await store?.close()
      await database?.drop()
    }, 30_000)

    it('stores 10,000 events exactly once through a retry storm that loses 30 % of answers', async () => {
      const random = seededRandom(20261126)
      const proxy = startLossyProxy(
        collectors.map((c) => c.url),
        seededRandom(7),
      )
      await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
      const proxyUrl = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`
      try {
        const events = Array.from({ length: EVENTS }, (_, i) =>
          makeEvent(i % 3 ? 'thumbs_down' : 'response_shown', { eventId: `storm-${i}` }),
        )
        const sends = events.flatMap((e) =>
          Array.from({ length: 1 + Math.floor(random() * 5) }, () => e),
        )
        for (let i = sends.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1))
          ;[sends[i], sends[j]] = [sends[j]!, sends[i]!]
        }
        const seen = new Set<string>()
        let lostAnswers = 0
        await Promise.all(
          Array.from({ length: SENDERS }, async (_, s) => {
            const mine = sends.filter((_, i) => i % SENDERS === s)
            for (let i = 0; i < mine.length; ) {
              const batch = mine.slice(i, i + 1 + Math.floor(random() * 50))
              i += batch.length
              const body = JSON.stringify({ events: batch })
              for (let attempt = 1; ; attempt++) {
                expect(attempt).toBeLessThanOrEqual(MAX_ATTEMPTS)
                const res = await fetch(`${proxyUrl}/v1/events?key=${publicKey}`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body,
                }).catch(() => null)
                if (!res) {
                  lostAnswers += 1
                  continue
                }
                expect(res.status).toBe(200)
                const result = (await res.json()) as { accepted: number; duplicates: number }
                expect(result.accepted + result.duplicates).toBe(batch.length)
                for (const e of batch) seen.add(e.eventId)
                break
              }
            }
          }),
        )
        expect(sends.length).toBeGreaterThan(2.5 * EVENTS)
        expect(seen.size).toBe(EVENTS)
        expect(proxy.stats.dropped).toBe(lostAnswers)
        expect(lostAnswers).toBeGreaterThan(0.2 * proxy.stats.forwarded)
        expect(await store.countEvents(projectId)).toBe(EVENTS)
        const ids = new Set<string>()
        for await (const e of store.streamEvents(projectId)) ids.add(e.eventId)
        expect(ids.size).toBe(EVENTS)
      } finally {
        proxy.agent.destroy()
        proxy.server.closeAllConnections()
        await new Promise((resolve) => proxy.server.close(resolve))
      }
    }, 120_000)

    it('limits one address across both processes', async () => {
      const send = (c: Collector, address: string) =>
        fetch(`${c.url}/v1/events?key=${publicKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({ events: [makeEvent()] }),
        })
      // A window boundary inside the run would reset the count; then run again on a new address.
      const windowMs = LIMITS.perAddress!.windowMs
      for (let run = 0; run < 3; run++) {
        const started = Math.floor(Date.now() / windowMs)
        const address = `198.51.100.${run + 1}`
        const statuses: number[] = []
        for (let i = 0; i < 10; i++) statuses.push((await send(collectors[i % 2]!, address)).status)
        const other = await send(collectors[1]!, '198.51.100.200')
        if (Math.floor(Date.now() / windowMs) !== started) continue
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429])
        expect(other.status).toBe(200)
        const limited = await send(collectors[0]!, address)
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
        return
      }
      expect.fail('three window boundaries in a row')
    })

    it('honours a key rotation made elsewhere in both processes at once', async () => {
      const ingest = (c: Collector, key: string) =>
        fetch(`${c.url}/v1/events?key=${key}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250)}`,
          },
          body: JSON.stringify({ events: [makeEvent()] }),
        }).then((r) => r.status)
      const both = (key: string) => Promise.all(collectors.map((c) => ingest(c, key)))
      const first = publicKey
      const second = await rotateKeys(store, projectId, { kind: 'public', graceMs: 3_600_000 })
      expect([...(await both(first)), ...(await both(second))]).toEqual([200, 200, 200, 200])
      const third = await rotateKeys(store, projectId, { kind: 'public', graceMs: 0 })
      expect(await both(first)).toEqual([401, 401])
      expect(await both(second)).toEqual([401, 401])
      expect(await both(third)).toEqual([200, 200])
      publicKey = third
    })
  })
} else if (required) {
  describe('two collector processes on one PostgreSQL', () => {
    it('runs against a real PostgreSQL', () => {
      expect.fail('TIGHTLOOP_REQUIRE_POSTGRES=1 but TIGHTLOOP_TEST_POSTGRES is not set')
    })
  })
} else {
  console.warn(
    'tightloop: PostgreSQL cluster test skipped; set TIGHTLOOP_TEST_POSTGRES=postgres://… to run it',
  )
  describe.skip('two collector processes on one PostgreSQL (set TIGHTLOOP_TEST_POSTGRES)', () => {
    it('runs against a real PostgreSQL', () => {})
  })
}
