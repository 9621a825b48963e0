// GET /v1/export and /v1/export/stats through the real server on a real SQLite file.
import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'
import { runExport } from './export.ts'

const DAY = 86_400_000
const NOW = Date.parse('2026-11-20T12:00:00.000Z')
let clock = NOW
let collector: TestCollector

async function send(at: number, events: FeedbackEvent[]) {
  clock = at
  const res = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.publicKey}` },
    body: JSON.stringify({ events }),
  })
  expect(res.status).toBe(200)
  clock = NOW
}

function get(path: string, key: string | null = collector.secretKey) {
  return fetch(`${collector.url}${path}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  })
}

const at = (ms: number) => new Date(ms).toISOString()

beforeAll(async () => {
  collector = await startTestCollector({ now: () => clock })
  await send(NOW - 3 * DAY, [makeEvent('thumbs_down', { occurredAt: at(NOW - 3 * DAY) })])
  await send(NOW - 2 * DAY, [makeEvent('explicit_correction', { occurredAt: at(NOW - 2 * DAY) })])
  await send(NOW - DAY, [
    makeEvent('thumbs_up', { occurredAt: at(NOW - DAY) }),
    makeEvent('csat', { csat: 1, occurredAt: at(NOW - DAY) }),
  ])
})
afterAll(async () => {
  await collector?.close()
})

describe('GET /v1/export', () => {
  it('needs the secret key', async () => {
    expect((await get('/v1/export', null)).status).toBe(401)
    const pub = await get('/v1/export', collector.publicKey)
    expect(pub.status).toBe(403)
    expect(((await pub.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    expect((await get('/v1/export/stats', collector.publicKey)).status).toBe(403)
  })

  it.each([
    ['an unknown format', '?format=parquet'],
    ['an empty format', '?format='],
    ['an unknown parameter', '?fromat=dpo'],
    ['a bad since', '?since=yesterday'],
    ['since after until', `?since=${NOW}&until=${NOW - 1}`],
    ['a bad stats value', '?stats=header'],
  ])('answers %s with a 400 JSON error', async (_, query) => {
    const res = await get(`/v1/export${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('invalid_query')
    expect(body.error.message.length).toBeGreaterThan(10)
  })

  it('defaults to native and streams NDJSON', async () => {
    const res = await get('/v1/export')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
    expect(res.headers.get('x-tightloop-export-format')).toBe('native')
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows.map((r) => r.source).sort()).toEqual(['csat', 'explicit_correction', 'thumbs_down'])
  })

  it('filters on receivedAt with since (inclusive) and until (exclusive)', async () => {
    const res = await get(`/v1/export?since=${at(NOW - 2 * DAY)}&until=${NOW - DAY}`)
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows.map((r) => r.source)).toEqual(['explicit_correction'])
  })

  it('reports what was dropped in a trailer line that matches /v1/export/stats', async () => {
    const res = await get('/v1/export?format=dpo&stats=trailer')
    const lines = (await res.text()).trim().split('\n')
    const trailer = JSON.parse(lines.at(-1)!).tightloop_export_stats
    expect(lines).toHaveLength(2) // one DPO pair and the trailer
    expect(trailer).toMatchObject({
      format: 'dpo',
      events: 4,
      rows: 3,
      records: 1,
      rowsNotInFormat: 2,
      dropped: { excluded_signal: 1 },
      range: { since: null, until: null },
      rules: { ttlDays: 45, adversaries: 0, versionChanges: 0, latestVersion: null },
    })
    const stats = await (await get('/v1/export/stats?format=dpo')).json()
    expect({ ...stats, exportedAt: null }).toEqual({ ...trailer, exportedAt: null })
  })

  it('writes a large export in several chunks, every line whole', async () => {
    // About 5 % of the ids would fall in the eval slice; the holdout has its own scenario.
    await collector.store.updateProject(collector.project.id, { evalHoldout: false })
    const many = Array.from({ length: 3_000 }, (_, i) =>
      makeEvent('thumbs_down', {
        requestId: `bulk-${i}`,
        userId: `bulk-user-${i}`, // 3,000 from one user in a day would be a burst, quarantined
        occurredAt: at(NOW - 1_000),
        response: `Answer number ${i}: ${'lorem ipsum '.repeat(20)}`,
      }),
    )
    for (let i = 0; i < many.length; i += 100) await send(NOW - 1_000, many.slice(i, i + 100))
    const res = await get(`/v1/export?since=${NOW - 1_000}`)
    const reader = res.body!.getReader()
    let chunks = 0
    let text = ''
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks += 1
      text += decoder.decode(value, { stream: true })
    }
    expect(chunks).toBeGreaterThan(5)
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows).toHaveLength(3_000)
    expect(new Set(rows.map((r) => r.row_id)).size).toBe(3_000)
    await collector.store.updateProject(collector.project.id, { evalHoldout: true })
  })

  it('stops reading when the client goes away, and the server keeps answering', async () => {
    const controller = new AbortController()
    const res = await fetch(`${collector.url}/v1/export`, {
      headers: { authorization: `Bearer ${collector.secretKey}` },
      signal: controller.signal,
    })
    const reader = res.body!.getReader()
    await reader.read()
    controller.abort()
    const health = await get('/healthz')
    expect(health.status).toBe(200)
    const stats = (await (await get('/v1/export/stats')).json()) as { events: number }
    expect(stats.events).toBe(3_004)
  })
})

describe('runExport', () => {
  it('gives the event loop turns during a long export, so the server keeps answering', async () => {
    // A cursor that never waits on I/O, like SQLite pages: without turns the whole export
    // would run as one chain of microtasks and no timer, socket or ingest could run.
    async function* events() {
      for (let i = 0; i < 20_000; i++) {
        yield {
          ...makeEvent('thumbs_up', { eventId: `loop-${i}` }),
          receivedAt: new Date(NOW).toISOString(),
        } as StoredEvent
      }
    }
    let ranDuringExport = 0
    let finished = false
    const tick = () => {
      if (finished) return
      ranDuringExport += 1
      setImmediate(tick)
    }
    setImmediate(tick)
    const run = runExport(
      events(),
      {
        now: NOW,
        ttlDays: 45,
        adversaries: new Set(),
        versionChanges: [],
        evalHoldout: true,
        adversaryPolicy: 'quarantine',
      },
      { format: 'native' },
    )
    for await (const _ of run.chunks) {
      // all dropped: no chunk is ever written, so only the export's own turns can let tick run
    }
    finished = true
    expect(run.report()).toMatchObject({
      events: 20_000,
      rows: 0,
      dropped: { excluded_signal: 20_000 },
    })
    expect(ranDuringExport).toBeGreaterThanOrEqual(5)
  })
})
