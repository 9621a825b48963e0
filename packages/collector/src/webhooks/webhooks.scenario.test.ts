// Scenario: webhooks against a real node:http receiver on loopback. A delivery arrives signed
// and verifies; with the receiver down and the collector restarted on the same store, the
// event arrives once the receiver is back, with the same id; Slack format; bad input.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../store/postgres.ts'
import { createTestSchema } from '../store/postgres-testing.ts'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'
import { verifySignature } from './sign.ts'

interface Received {
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A receiver on 127.0.0.1 that records what it gets; `port` reuses a port (back up). */
async function startReceiver(port = 0) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    received,
    port: address.port,
    url: `http://127.0.0.1:${address.port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const FAST = { everyMs: 50, backoffMs: () => 200, timeoutMs: 2_000, log: () => {} }

async function until<T>(check: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const api =
  (c: TestCollector) =>
  (path: string, init: RequestInit = {}) =>
    fetch(`${c.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${c.secretKey}`, 'content-type': 'application/json' },
    })

async function addWebhook(c: TestCollector, body: object) {
  const res = await api(c)('/v1/webhooks', { method: 'POST', body: JSON.stringify(body) })
  expect(res.status).toBe(201)
  return ((await res.json()) as { webhook: { id: string; secret: string } }).webhook
}

async function send(c: TestCollector, events: object[]) {
  const res = await fetch(`${c.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.publicKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  })
  expect(res.status).toBe(200)
}

describe('webhook deliveries (SQLite)', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn()
  })

  it('delivers an escalation signed, once, and lists the attempt', async () => {
    const receiver = await startReceiver()
    cleanup.push(receiver.close)
    const collector = await startTestCollector({ webhookDeliveries: FAST })
    cleanup.push(collector.close)
    const hook = await addWebhook(collector, { url: receiver.url, events: ['escalation'] })
    expect(hook.secret).toMatch(/^whsec_/)
    const escalation = makeEvent('agent_escalation')
    await send(collector, [escalation, makeEvent('csat', { csat: 1 }), makeEvent('thumbs_up')])
    await send(collector, [escalation]) // a duplicate enqueues nothing new

    const got = await until(() => receiver.received[0])
    const header = String(got.headers['x-tightloop-signature'])
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(verifySignature(hook.secret, got.body, header)).toBe(true)
    expect(verifySignature('whsec_wrong_secret_x', got.body, header)).toBe(false)
    const event = JSON.parse(got.body)
    expect(event).toMatchObject({
      id: escalation.eventId,
      type: 'escalation',
      projectId: collector.project.id,
      data: {
        reason: 'wrong_answer',
        requestId: escalation.requestId,
        response: 'Refunds take a while.',
      },
    })

    const res = await api(collector)(`/v1/webhooks/${hook.id}/deliveries`)
    const { deliveries } = (await res.json()) as { deliveries: Record<string, unknown>[] }
    expect(deliveries).toHaveLength(1) // csat is not subscribed; the duplicate is one row
    expect(deliveries[0]).toMatchObject({ id: escalation.eventId, status: 'delivered' })
    const list = await (await api(collector)('/v1/webhooks')).text()
    expect(list).toContain(hook.id)
    expect(list).not.toContain(hook.secret)
    expect(receiver.received).toHaveLength(1)
  })

  it('posts a Slack message (text + mrkdwn section) for format "slack"', async () => {
    const receiver = await startReceiver()
    cleanup.push(receiver.close)
    const collector = await startTestCollector({ webhookDeliveries: FAST })
    cleanup.push(collector.close)
    await addWebhook(collector, { url: receiver.url, events: ['low_csat'], format: 'slack' })
    await send(collector, [makeEvent('csat', { csat: 2, prompt: 'a <b> & c' })])
    const got = await until(() => receiver.received[0])
    const message = JSON.parse(got.body)
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text'])
    expect(message.text).toContain('Low satisfaction score (2/5)')
    expect(message.blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: expect.stringContaining('a &lt;b&gt; &amp; c') },
      },
    ])
  })

  it('answers 400 for a non-http(s) URL or the collector itself, 404 for an unknown id', async () => {
    const collector = await startTestCollector()
    cleanup.push(collector.close)
    const call = api(collector)
    for (const body of [
      { url: 'ftp://example.com/x', events: ['alert'] },
      { url: 'file:///etc/passwd', events: ['alert'] },
      { url: `${collector.url}/v1/events`, events: ['alert'] },
      { url: collector.url.replace('127.0.0.1', 'localhost'), events: ['alert'] },
      { url: 'https://example.com/x', events: ['nope'] },
      { url: 'https://example.com/x', events: ['alert'], secret: 'short' },
    ]) {
      const res = await call('/v1/webhooks', { method: 'POST', body: JSON.stringify(body) })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_body')
    }
    for (const [method, path] of [
      ['DELETE', '/v1/webhooks/wh_missing'],
      ['GET', '/v1/webhooks/wh_missing/deliveries'],
    ] as const) {
      const res = await call(path, { method })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    }
  })
})

/** Receiver down, collector restarted on the same store, receiver back: the event arrives. */
async function restartScenario(open: () => Store) {
  const receiver = await startReceiver()
  const port = receiver.port
  const first = await startTestCollector({ store: open(), webhookDeliveries: FAST })
  const hook = await addWebhook(first, { url: receiver.url, events: ['escalation'] })
  await receiver.close()
  const escalation = makeEvent('agent_escalation')
  await send(first, [escalation])
  // Let attempts fail against the closed port before the restart.
  for (let tries = 0; tries < 200; tries += 1) {
    const [pending] = await first.store.listDeliveries(first.project.id, hook.id, 1)
    if ((pending?.attempts.length ?? 0) >= 2) break
    await new Promise((r) => setTimeout(r, 25))
  }
  await first.close()
  await first.store.close()

  const store = open()
  const second = await startTestCollector({ store, webhookDeliveries: FAST })
  const back = await startReceiver(port)
  try {
    const got = await until(() => back.received[0])
    expect(JSON.parse(got.body).id).toBe(escalation.eventId)
    expect(
      verifySignature(hook.secret, got.body, String(got.headers['x-tightloop-signature'])),
    ).toBe(true)
    const [delivery] = await store.listDeliveries(first.project.id, hook.id, 10)
    expect(delivery!.deliveredAt).not.toBeNull()
    expect(delivery!.attempts.length).toBeGreaterThan(1)
    expect(delivery!.attempts[0]!.error).toBe('ECONNREFUSED')
  } finally {
    await back.close()
    await second.close()
    await store.close()
  }
}

describe('webhook outbox survives a restart', () => {
  it('SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tightloop-wh-'))
    try {
      await restartScenario(() => createSqliteStore(join(dir, 'tightloop.db')))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.runIf(process.env.TIGHTLOOP_TEST_POSTGRES)('PostgreSQL', async () => {
    const schema = await createTestSchema(process.env.TIGHTLOOP_TEST_POSTGRES!)
    try {
      await restartScenario(() => createPostgresStore(schema.url, { maxConnections: 2 }))
    } finally {
      await schema.drop()
    }
  })
})
