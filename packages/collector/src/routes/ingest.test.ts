import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector

beforeAll(async () => {
  collector = await startTestCollector({
    project: {
      allowedOrigins: ['https://shop.example'],
      escalationReasons: ['wrong_answer', 'billing'],
    },
  })
})
afterAll(() => collector.close())

const post = (body: unknown, init: RequestInit & { key?: string | null } = {}) => {
  const key = init.key === undefined ? collector.publicKey : init.key
  const url = `${collector.url}/v1/events${key ? `?key=${key}` : ''}`
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal && { signal: init.signal }),
  })
}

const rawEvents = async (key = collector.secretKey) => {
  const res = await fetch(`${collector.url}/v1/events`, {
    headers: { authorization: `Bearer ${key}` },
  })
  expect(res.headers.get('content-type')).toContain('application/x-ndjson')
  const text = await res.text()
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe('POST /v1/events', () => {
  it('stores a valid batch and answers after the commit', async () => {
    const events = [
      makeEvent('thumbs_down'),
      makeEvent('csat', { csat: 5 }),
      makeEvent('explicit_correction'),
    ]
    const res = await post({ events })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] })
    const stored = await rawEvents()
    const ids = stored.map((e) => e.eventId)
    for (const e of events) expect(ids).toContain(e.eventId)
    const csat = stored.find((e) => e.eventId === events[1]!.eventId)!
    expect(csat.csat).toBe(5)
    expect(typeof csat.receivedAt).toBe('string')
  })

  it('stores a repeated batch once and reports the repeats as duplicates', async () => {
    const events = [makeEvent(), makeEvent()]
    expect(await (await post({ events })).json()).toMatchObject({ accepted: 2, duplicates: 0 })
    const before = await collector.store.countEvents(collector.project.id)
    expect(await (await post({ events })).json()).toEqual({
      accepted: 0,
      duplicates: 2,
      rejected: [],
    })
    expect(await collector.store.countEvents(collector.project.id)).toBe(before)
  })

  it('stores the valid events of a batch and names the bad one by index', async () => {
    const good = [makeEvent(), makeEvent()]
    const bad = { ...makeEvent('csat'), csat: 9 }
    const res = await post({ events: [good[0], bad, good[1]] })
    const body = await res.json()
    expect(res.status).toBe(200)
    expect(body.accepted).toBe(2)
    expect(body.rejected).toHaveLength(1)
    expect(body.rejected[0]).toMatchObject({ index: 1, eventId: bad.eventId })
    expect(body.rejected[0].error).toMatch(/csat/)
  })

  it('rejects an escalation reason the project does not offer', async () => {
    const res = await post({
      events: [
        makeEvent('agent_escalation', { escalationReason: 'billing' }),
        makeEvent('agent_escalation', { escalationReason: 'bored' }),
      ],
    })
    const body = await res.json()
    expect(body.accepted).toBe(1)
    expect(body.rejected[0]).toMatchObject({ index: 1 })
  })

  it('merges a thumbs-down amendment into its vote: one row, the reasons on it', async () => {
    const vote = makeEvent('thumbs_down')
    const amend = (fields: Record<string, unknown>, of = vote) =>
      makeEvent('thumbs_down', { requestId: of.requestId, amends: of.eventId, ...fields })
    const reasons = { comment: 'Wrong fee', metadata: { wrong: 'incorrect' } }
    // The vote and its amendment in one batch, then the amendment again (a retry).
    const first = amend(reasons)
    expect(await (await post({ events: [vote, first] })).json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
    })
    expect(await (await post({ events: [first] })).json()).toMatchObject({ accepted: 1 })
    const rows = () => rawEvents().then((all) => all.filter((e) => e.requestId === vote.requestId))
    expect(await rows()).toEqual([expect.objectContaining({ eventId: vote.eventId, ...reasons })])
    expect((await rows())[0]).not.toHaveProperty('amends')

    // An amendment of another user's vote, or of a non-vote, is refused by index.
    const other = makeEvent('thumbs_up')
    const res = await post({
      events: [amend({ userId: 'mallory', ...reasons }), other, amend(reasons, other)],
    })
    expect(await res.json()).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0 }, { index: 2 }],
    })

    // The vote lost on the way: its amendment stands for it, and the vote arriving late is a
    // duplicate of it.
    const lost = makeEvent('thumbs_down')
    await post({ events: [amend(reasons, lost)] })
    expect(await (await post({ events: [lost] })).json()).toMatchObject({ duplicates: 1 })
    const stood = (await rawEvents()).filter((e) => e.requestId === lost.requestId)
    expect(stood).toEqual([expect.objectContaining({ eventId: lost.eventId, ...reasons })])
  })

  it('refuses `amends` on anything but a thumbs_down, and a malformed one', async () => {
    const res = await post({
      events: [
        makeEvent('thumbs_up', { amends: 'abc' }),
        makeEvent('thumbs_down', { amends: 'not an id!' }),
      ],
    })
    const body = await res.json()
    expect(body.accepted).toBe(1) // the thumbs_up, its unknown `amends` dropped
    expect(body.rejected).toMatchObject([{ index: 1 }])
  })

  it('accepts a text/plain body, as sendBeacon sends it', async () => {
    const event = makeEvent()
    const res = await post(
      { events: [event] },
      { headers: { 'content-type': 'text/plain;charset=UTF-8' } },
    )
    expect(res.status).toBe(200)
    expect((await res.json()).accepted).toBe(1)
  })

  it('accepts the key as a Bearer header', async () => {
    const res = await post(
      { events: [makeEvent()] },
      { key: null, headers: { authorization: `Bearer ${collector.publicKey}` } },
    )
    expect(res.status).toBe(200)
  })

  it('corrects a client clock that is 24 h off, from sentAt', async () => {
    const skew = 24 * 3600_000
    const trueTime = Date.now()
    const event = makeEvent('thumbs_down', {
      occurredAt: new Date(trueTime - skew - 2_000).toISOString(),
    })
    const res = await post({ events: [event], sentAt: new Date(Date.now() - skew).toISOString() })
    expect(res.status).toBe(200)
    const stored = (await rawEvents()).find((e) => e.eventId === event.eventId)!
    expect(Math.abs(Date.parse(stored.occurredAt as string) - (trueTime - 2_000))).toBeLessThan(
      5_000,
    )
    expect(stored.clientOccurredAt).toBe(event.occurredAt)
  })

  it('clamps a future occurredAt to the arrival time when no sentAt is given', async () => {
    const event = makeEvent('thumbs_down', {
      occurredAt: new Date(Date.now() + 3600_000).toISOString(),
    })
    await post({ events: [event] })
    const stored = (await rawEvents()).find((e) => e.eventId === event.eventId)!
    expect(Date.parse(stored.occurredAt as string)).toBeLessThanOrEqual(
      Date.parse(stored.receivedAt as string),
    )
  })

  it('records what the browser reports it had to drop', async () => {
    const res = await post({
      events: [makeEvent()],
      client: { sdk: 'test', storage: 'memory', dropped: 4 },
    })
    expect(res.status).toBe(200)
  })
})

describe('errors', () => {
  const expectError = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = await res.json()
    expect(body.error.code).toBe(code)
    return body as { error: { code: string; message: string } }
  }

  it('401 without a key or with an unknown one', async () => {
    await expectError(await post({ events: [makeEvent()] }, { key: null }), 401, 'unauthorized')
    await expectError(
      await post({ events: [makeEvent()] }, { key: 'pk_doesnotexist123' }),
      401,
      'unauthorized',
    )
  })

  it('400 for broken JSON, a missing events array and over 100 events', async () => {
    await expectError(await post('{"events": ['), 400, 'invalid_json')
    await expectError(await post({ nothing: true }), 400, 'invalid_body')
    await expectError(
      await post({ events: Array.from({ length: 101 }, () => makeEvent()) }),
      400,
      'too_many_events',
    )
  })

  it('413 for a declared or streamed body over 256 KiB, and stores nothing of it', async () => {
    const before = await collector.store.countEvents(collector.project.id)
    const big = { events: [makeEvent('thumbs_down', { comment: 'x'.repeat(300_000) })] }
    await expectError(await post(big), 413, 'payload_too_large')
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++)
          controller.enqueue(new TextEncoder().encode(' '.repeat(10_000)))
        controller.close()
      },
    })
    const res = await fetch(`${collector.url}/v1/events?key=${collector.publicKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit)
    await expectError(res, 413, 'payload_too_large')
    expect(await collector.store.countEvents(collector.project.id)).toBe(before)
  })

  it('415 for other content types', async () => {
    await expectError(
      await post({ events: [makeEvent()] }, { headers: { 'content-type': 'application/xml' } }),
      415,
      'unsupported_media_type',
    )
  })

  it('403 for an origin the project does not allow, readable by that page, nothing stored', async () => {
    const before = await collector.store.countEvents(collector.project.id)
    const res = await post(
      { events: [makeEvent()] },
      { headers: { origin: 'https://evil.example' } },
    )
    // With CORS headers, so the page reads why instead of a bare network error.
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example')
    const body = await expectError(res, 403, 'origin_not_allowed')
    expect(body.error.message).toContain('https://evil.example')
    expect(body.error.message).toContain('--origins')
    expect(await collector.store.countEvents(collector.project.id)).toBe(before)
    const ok = await post(
      { events: [makeEvent()] },
      { headers: { origin: 'https://shop.example' } },
    )
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example')
  })

  it('answers a preflight for any origin, so a refused one can read its 403', async () => {
    const ask = (origin: string) =>
      fetch(`${collector.url}/v1/events?key=${collector.publicKey}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
    const ok = await ask('https://shop.example')
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    // The request itself is refused (above); a failed preflight would hide why from the page.
    const no = await ask('https://evil.example')
    expect(no.status).toBe(204)
    expect(no.headers.get('access-control-allow-origin')).toBe('https://evil.example')
  })

  it('a public key reads nothing', async () => {
    const res = await fetch(`${collector.url}/v1/events`, {
      headers: { authorization: `Bearer ${collector.publicKey}` },
    })
    await expectError(res, 403, 'forbidden')
    const noKey = await fetch(`${collector.url}/v1/events`)
    await expectError(noKey, 401, 'unauthorized')
    // A secret key in a URL is refused outright, with the reason (it lands in logs).
    const queryKey = await fetch(`${collector.url}/v1/events?key=${collector.secretKey}`)
    await expectError(queryKey, 400, 'invalid_query')
  })

  it('404 as JSON for unknown routes', async () => {
    await expectError(await fetch(`${collector.url}/nope`), 404, 'not_found')
  })
})

describe('GET /v1/events', () => {
  it('filters by since/until and rejects a bad range', async () => {
    const all = await rawEvents()
    const mid = all[Math.floor(all.length / 2)]!.receivedAt as string
    const res = await fetch(`${collector.url}/v1/events?since=${encodeURIComponent(mid)}`, {
      headers: { authorization: `Bearer ${collector.secretKey}` },
    })
    const later = (await res.text()).split('\n').filter(Boolean)
    expect(later.length).toBeGreaterThan(0)
    expect(later.length).toBeLessThanOrEqual(all.length)
    const bad = await fetch(`${collector.url}/v1/events?since=banana`, {
      headers: { authorization: `Bearer ${collector.secretKey}` },
    })
    expect(bad.status).toBe(400)
  })
})

describe('durability', () => {
  it('keeps accepted events when the database is reopened', async () => {
    const event = makeEvent()
    await post({ events: [event] })
    const reopened = createSqliteStore(collector.databasePath!)
    const ids: string[] = []
    for await (const e of reopened.streamEvents(collector.project.id)) ids.push(e.eventId)
    await reopened.close()
    expect(ids).toContain(event.eventId)
  })
})

describe('the two ways a batch reaches the SQLite writer', () => {
  it('stores the same payloads whether the writer parses the body again or gets the objects', async () => {
    const sources: boolean[] = []
    const dir = mkdtempSync(join(tmpdir(), 'tightloop-source-'))
    const inner = createSqliteStore(join(dir, 'x.db'))
    const store: Store = {
      ...inner,
      insertEvents(projectId, rows, source) {
        sources.push(source !== undefined)
        return inner.insertEvents(projectId, rows, source)
      },
    }
    const c = await startTestCollector({ store })
    try {
      const skew = 3_600_000
      // The client's clock is an hour behind: every stored occurredAt moves an hour on.
      const clientNow = () => Date.now() - skew - 2_000
      const inParis = (ms: number) => new Date(ms + 3_600_000).toISOString().replace('Z', '+01:00')
      const kinds = () =>
        [
          makeEvent('csat', {
            csat: 4,
            comment: 'ok',
            occurredAt: new Date(clientNow()).toISOString(),
          }),
          // Not in toISOString form: the stored occurredAt is rewritten, the client's kept.
          makeEvent('thumbs_down', {
            occurredAt: inParis(clientNow()),
            modelVersion: 'm-2',
            userId: 'usér-😀-ü', // columns are cut by UTF-16 length on the way to the writer
          }),
          makeEvent('rephrase', {
            productVersion: '7.1',
            similarity: 0.5,
            occurredAt: new Date(clientNow()).toISOString(),
          }),
        ].map((e, i) => ({ ...e, requestId: `req-kind-${i}` }))
      const send = (events: unknown[]) =>
        fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events, sentAt: new Date(Date.now() - skew).toISOString() }),
        }).then((r) => r.json())
      const verbatim = kinds()
      const copied = kinds()
      // One unknown key makes validation drop something: that batch travels as objects.
      expect(await send(verbatim)).toMatchObject({ accepted: 3 })
      expect(await send([...copied, { ...makeEvent(), stray: 'dropped' }])).toMatchObject({
        accepted: 4,
      })
      expect(sources).toEqual([true, false])

      const stored = new Map<string, Record<string, unknown>>()
      for await (const e of inner.streamEvents(c.project.id)) stored.set(e.eventId, { ...e })
      expect(stored.size).toBe(7)
      for (const [i, sent] of verbatim.entries()) {
        const a = stored.get(sent.eventId)!
        const b = stored.get(copied[i]!.eventId)!
        expect(a.clientOccurredAt).toBe(sent.occurredAt)
        expect(
          Math.abs(Date.parse(a.occurredAt as string) - Date.parse(sent.occurredAt) - skew),
        ).toBeLessThan(5_000)
        expect(a.occurredAt).toBe(new Date(Date.parse(a.occurredAt as string)).toISOString())
        const { eventId: _a, occurredAt: _ao, clientOccurredAt: _ac, receivedAt: _ar, ...restA } = a
        const { eventId: _b, occurredAt: _bo, clientOccurredAt: _bc, receivedAt: _br, ...restB } = b
        expect(restA).toEqual(restB)
        expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort())
      }
      expect([...stored.values()].some((e) => 'stray' in e)).toBe(false)

      // On disk: the verbatim batch's events as the client's own text, stamped on read; the
      // copied batch's already stamped.
      await inner.close()
      const file = new Database(join(dir, 'x.db'), { readonly: true })
      const payload = (id: string) =>
        (
          file.prepare('SELECT payload FROM events WHERE event_id = ?').get(id) as {
            payload: string
          }
        ).payload
      const columns = file.prepare(
        'SELECT event_id, signal, request_id, user_id, product_version FROM events WHERE event_id = ?',
      )
      for (const sent of [...verbatim, ...copied]) {
        expect(columns.get(sent.eventId)).toEqual({
          event_id: sent.eventId,
          signal: sent.signal,
          request_id: sent.requestId,
          user_id: sent.userId,
          product_version: sent.productVersion ?? null,
        })
      }
      for (const [i, sent] of verbatim.entries()) {
        expect(payload(sent.eventId)).toBe(JSON.stringify(sent))
        expect(JSON.parse(payload(copied[i]!.eventId))).toMatchObject({
          clientOccurredAt: copied[i]!.occurredAt,
          receivedAt: stored.get(copied[i]!.eventId)!.receivedAt,
        })
      }
      file.close()
    } finally {
      await c.close()
      await inner.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a body that names `events` twice, storing neither list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tightloop-source-'))
    const store = createSqliteStore(join(dir, 'x.db'))
    const c = await startTestCollector({ store })
    try {
      const first = makeEvent('thumbs_down', { comment: 'first' })
      const last = makeEvent('thumbs_down', { comment: 'last' })
      const body = `{"events":[${JSON.stringify(first)}],"events":[${JSON.stringify(last)}]}`
      const res = await fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_body' } })
      const stored = []
      for await (const e of store.streamEvents(c.project.id)) stored.push(e)
      expect(stored).toEqual([])
    } finally {
      await c.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
