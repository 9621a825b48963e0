// Hostile input (issue 18): each test reproduces one finding and failed before its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'

let c: TestCollector
beforeAll(async () => {
  c = await startTestCollector()
})
afterAll(() => c.close())

const ingest = (body: unknown, key = c.publicKey) =>
  fetch(`${c.url}/v1/events?key=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(body),
  })
const get = (path: string, key: string | null = c.secretKey, base = c.url) =>
  fetch(`${base}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {})
const codeOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code

describe('finding 1: event time is bounded at ingest', () => {
  it('ignores an implausible sentAt and rejects an event outside the window, by index', async () => {
    const now = Date.now()
    const forged = makeEvent('thumbs_down', { occurredAt: new Date(now - 60_000).toISOString() })
    const res = await ingest({ sentAt: '9999-12-31T23:59:59Z', events: [forged] })
    expect(res.status).toBe(200)
    // The forged clock is not used: the event keeps its own (plausible) time.
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] })
    const stored = (await (await get('/v1/events')).text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { eventId: string; occurredAt: string })
    const row = stored.find((e) => e.eventId === forged.eventId)!
    expect(Math.abs(Date.parse(row.occurredAt) - (now - 60_000))).toBeLessThan(5_000)

    const ancient = makeEvent('thumbs_down', { occurredAt: '0000-01-01T00:00:00Z' })
    const old = makeEvent('thumbs_down', {
      occurredAt: new Date(now - 91 * 86_400_000).toISOString(),
    })
    const ok = makeEvent('thumbs_down')
    const mixed = await ingest({ events: [ancient, ok, old] })
    const body = (await mixed.json()) as {
      accepted: number
      rejected: { index: number; error: string }[]
    }
    expect(body.accepted).toBe(1)
    expect(body.rejected.map((r) => r.index)).toEqual([0, 2])
    expect(body.rejected[0]!.error).toMatch(/more than 90 days/)
  })

  it('keeps /v1/stats bounded when the store already holds an event dated centuries back', async () => {
    const hostile = await startTestCollector()
    try {
      const now = Date.now()
      const e = makeEvent('thumbs_down')
      // An old database may hold such rows: write one straight into the store.
      await hostile.store.insertEvents(hostile.project.id, [
        {
          eventId: e.eventId,
          signal: 'thumbs_down',
          requestId: e.requestId,
          userId: e.userId,
          occurredAt: Date.parse('0000-01-01T00:00:00Z'),
          receivedAt: now - 120_000,
          productVersion: null,
          event: {
            ...e,
            occurredAt: '0000-01-01T00:00:00.000Z',
            receivedAt: new Date(now - 120_000).toISOString(),
          },
        },
      ] as never)
      const res = await get('/v1/stats', hostile.secretKey, hostile.url)
      expect(res.status).toBe(200)
      const report = (await res.json()) as { days: { day: string }[] }
      expect(report.days.length).toBeLessThanOrEqual(91)
      const since = await get(
        `/v1/stats?since=${now - 7 * 86_400_000}`,
        hostile.secretKey,
        hostile.url,
      )
      expect(((await since.json()) as { days: unknown[] }).days.length).toBeLessThanOrEqual(8)
    } finally {
      await hostile.close()
    }
  })
})

describe('finding 2: time parameters out of range', () => {
  it('answers 400 invalid_query on every route, and an export never starts cut', async () => {
    for (const path of [
      '/v1/stats?since=9000000000000000',
      '/v1/stats?until=9000000000000000',
      '/v1/export/stats?until=1e20',
      '/v1/export?since=9000000000000000&stats=trailer',
      '/v1/events?since=9000000000000000',
      '/v1/stats?since=-5',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(400)
      expect(await codeOf(res), path).toBe('invalid_query')
    }
  })
})

describe('finding 3: secret keys never in a URL', () => {
  it('refuses sk_ in any query string with the reason, and ingest takes only public keys', async () => {
    for (const [method, path] of [
      ['POST', '/v1/events'],
      ['GET', '/v1/config'],
      ['GET', '/v1/stats'],
      ['GET', '/nope'],
    ] as const) {
      const res = await fetch(`${c.url}${path}?key=${c.secretKey}`, {
        method,
        ...(method === 'POST' && { body: JSON.stringify({ events: [makeEvent('thumbs_up')] }) }),
      })
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /Authorization: Bearer/,
      )
    }
    const bearer = await fetch(`${c.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [makeEvent('thumbs_up')] }),
    })
    expect(bearer.status).toBe(403)
  })
})

describe('finding 4: failed key checks are throttled per address', () => {
  it('answers 429 with Retry-After after 20 failures a minute, on every route, for that address only', async () => {
    const t = await startTestCollector({
      limits: { clientAddress: (ctx) => ctx.req.header('x-test-address') },
    })
    try {
      const from = (address: string, path: string, key: string, init: RequestInit = {}) =>
        fetch(`${t.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${key}`, 'x-test-address': address, ...init.headers },
        })
      const statuses: number[] = []
      for (let i = 0; i < 25; i++)
        statuses.push((await from('10.0.0.1', '/v1/stats', `sk_wrong${i}xxxxxxxx`)).status)
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401))
      expect(statuses.slice(20)).toEqual(Array(5).fill(429))
      // Every route, even with the right key, from that address.
      const blocked = await from('10.0.0.1', '/v1/project', t.secretKey)
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
      const ingestBlocked = await from('10.0.0.1', '/v1/events', t.publicKey, {
        method: 'POST',
        body: JSON.stringify({ events: [makeEvent('thumbs_up')] }),
        headers: { 'content-type': 'application/json' },
      })
      expect(ingestBlocked.status).toBe(429)
      // Another address with a valid key is not slowed.
      expect((await from('10.0.0.2', '/v1/project', t.secretKey)).status).toBe(200)
    } finally {
      await t.close()
    }
  })
})

describe('finding 5: client.dropped is bounded and counted once', () => {
  it('caps one batch at what a client can hold and ignores a retried batch', async () => {
    const d = await startTestCollector()
    try {
      const batch = {
        events: [makeEvent('thumbs_up')],
        client: { dropped: Number.MAX_SAFE_INTEGER },
      }
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${d.url}/v1/events?key=${d.publicKey}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify(batch),
        })
        expect(res.status).toBe(200)
      }
      const report = (await (
        await fetch(`${d.url}/v1/stats`, { headers: { authorization: `Bearer ${d.secretKey}` } })
      ).json()) as { totals: { clientDropped: number } }
      expect(report.totals.clientDropped).toBe(10_000)
    } finally {
      await d.close()
    }
  })
})

describe('finding 6: a repeated key rejects its event', () => {
  it('refuses the event by index, stores the rest, and refuses a batch whose envelope repeats a key', async () => {
    const ok = makeEvent('thumbs_up')
    const twice = JSON.stringify(makeEvent('thumbs_down', { eventId: 'dup-first' })).replace(
      '{',
      '{"eventId":"dup-second",',
    )
    const nested = JSON.stringify(makeEvent('thumbs_down', { metadata: { a: '1' } })).replace(
      '"metadata":{',
      '"metadata":{"\\u0061":"2",',
    )
    const send = (text: string) =>
      fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: text,
      })
    const res = await send(`{"events":[${JSON.stringify(ok)},${twice},${nested}]}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      accepted: number
      rejected: { index: number; error: string }[]
    }
    expect(body.accepted).toBe(1)
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2])
    expect(body.rejected[0]!.error).toMatch(/repeats a key/)
    const stored = await (await get('/v1/events')).text()
    expect(stored).toContain(ok.eventId)
    expect(stored).not.toMatch(/dup-first|dup-second/)

    const envelope = await send(
      `{"events":[],"events":[${JSON.stringify(makeEvent('thumbs_up'))}]}`,
    )
    expect(envelope.status).toBe(400)
    expect(await codeOf(envelope)).toBe('invalid_body')
  })
})

describe('finding 7: wildcard origins', () => {
  it('lets https://*.example.com send from its subdomains and nothing else', async () => {
    const w = await startTestCollector({ project: { allowedOrigins: ['https://*.example.com'] } })
    try {
      const from = (origin: string) =>
        fetch(`${w.url}/v1/events?key=${w.publicKey}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', origin },
          body: JSON.stringify({ events: [makeEvent('thumbs_up')] }),
        })
      const sub = await from('https://help.example.com')
      expect(sub.status).toBe(200)
      expect(sub.headers.get('access-control-allow-origin')).toBe('https://help.example.com')
      expect((await from('https://example.com.evil.net')).status).toBe(403)
      expect((await from('https://example.com')).status).toBe(403)
    } finally {
      await w.close()
    }
  })
})

describe('finding 7: unknown routes, methods and parameters', () => {
  it('answers JSON 404/405 under /v1/ and 400 for unknown query parameters everywhere', async () => {
    const put = await fetch(`${c.url}/v1/events`, { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toContain('POST')
    expect(await codeOf(put)).toBe('method_not_allowed')
    const nope = await get('/v1/nope')
    expect(nope.status).toBe(404)
    expect(await codeOf(nope)).toBe('not_found')
    for (const path of [
      '/v1/events?limit=-1',
      '/v1/project?x=1',
      '/v1/gate?x=1',
      '/v1/versions?x=1',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(400)
      expect(await codeOf(res), path).toBe('invalid_query')
    }
  })
})
