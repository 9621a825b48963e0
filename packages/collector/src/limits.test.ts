// Abuse limits through the real server: per address, per key, per-project quotas, Retry-After.
import { afterEach, describe, expect, it } from 'vitest'
import { addressUnit } from './client-address.ts'
import type { LimitOptions } from './limits.ts'
import { provisionProject } from './provision.ts'
import { createSqliteStore } from './store/sqlite.ts'
import type { Store } from './store/types.ts'
import { makeEvent, startTestCollector, type TestCollector } from './testing.ts'

const WINDOW_MS = 60_000
const T0 = Date.UTC(2026, 10, 26, 12) + 1_000 // one second into a window: Retry-After is 59 s

let collector: TestCollector | undefined
afterEach(() => collector?.close())

let clock = T0
async function start(limits: LimitOptions, store?: Store) {
  clock = T0
  collector = await startTestCollector({ limits, now: () => clock, ...(store && { store }) })
  return collector
}

function send(c: TestCollector, options: { from?: string; key?: string; events?: number } = {}) {
  return fetch(`${c.url}/v1/events?key=${options.key ?? c.publicKey}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.from && { 'x-forwarded-for': options.from }),
    },
    body: JSON.stringify({
      events: Array.from({ length: options.events ?? 1 }, () => makeEvent()),
    }),
  })
}

async function expect429(res: Response, code: string, retryAfter: string) {
  expect(res.status).toBe(429)
  expect(res.headers.get('retry-after')).toBe(retryAfter)
  expect((await res.json()).error.code).toBe(code)
}

describe('per-address limit', () => {
  it('turns a flooding address away while another address keeps getting through', async () => {
    const c = await start({ perAddress: { max: 5, windowMs: WINDOW_MS }, trustProxy: 1 })
    for (let i = 0; i < 5; i++) expect((await send(c, { from: '198.51.100.1' })).status).toBe(200)
    const stored = await c.store.countEvents(c.project.id)
    for (let i = 0; i < 20; i++)
      await expect429(await send(c, { from: '198.51.100.1' }), 'rate_limited', '59')
    expect(await c.store.countEvents(c.project.id)).toBe(stored)
    // A client cannot escape by writing its own X-Forwarded-For entries: only the one our proxy appended counts.
    await expect429(await send(c, { from: '10.9.9.9, 198.51.100.1' }), 'rate_limited', '59')
    const other = await send(c, { from: '198.51.100.2', events: 3 })
    expect(other.status).toBe(200)
    expect((await other.json()).accepted).toBe(3)
    expect(await c.store.countEvents(c.project.id)).toBe(stored + 3)
    clock = T0 + WINDOW_MS // the next window forgives
    expect((await send(c, { from: '198.51.100.1' })).status).toBe(200)
  })

  it('counts a flood with made-up keys too, before looking any key up', async () => {
    const c = await start({ perAddress: { max: 3, windowMs: WINDOW_MS } })
    for (let i = 0; i < 3; i++) expect((await send(c, { key: 'pk_madeup12345' })).status).toBe(401)
    await expect429(await send(c, { key: 'pk_madeup12345' }), 'rate_limited', '59')
    await expect429(await send(c), 'rate_limited', '59')
  })

  it('ignores X-Forwarded-For unless trustProxy says a proxy writes it', async () => {
    const c = await start({ perAddress: { max: 2, windowMs: WINDOW_MS } })
    expect((await send(c, { from: '198.51.100.1' })).status).toBe(200)
    expect((await send(c, { from: '198.51.100.2' })).status).toBe(200)
    await expect429(await send(c, { from: '198.51.100.3' }), 'rate_limited', '59')
  })

  it('takes the address from a clientAddress function when given one', async () => {
    let address = 'a'
    const c = await start({
      perAddress: { max: 1, windowMs: WINDOW_MS },
      clientAddress: () => address,
    })
    expect((await send(c)).status).toBe(200)
    await expect429(await send(c), 'rate_limited', '59')
    address = 'b'
    expect((await send(c)).status).toBe(200)
  })

  it('never hands the store a raw address', async () => {
    const inner = createSqliteStore(':memory:')
    const buckets: string[] = []
    const spy: Store = {
      ...inner,
      hitRateLimit: (bucket, ...rest) => {
        buckets.push(bucket)
        return inner.hitRateLimit(bucket, ...rest)
      },
    }
    const c = await start(
      { perAddress: { max: 5, windowMs: WINDOW_MS }, trustProxy: 1, addressSecret: 'test-secret' },
      spy,
    )
    await send(c, { from: '203.0.113.9' })
    await send(c, { from: '2001:db8:aa:bb:1::1' })
    await send(c, { from: '2001:db8:aa:bb:ffff::2' }) // same /64: same bucket
    await c.close()
    await inner.close()
    collector = undefined
    expect(buckets).toHaveLength(3)
    expect(new Set(buckets).size).toBe(2)
    for (const b of buckets) {
      expect(b).toMatch(/^addr:[A-Za-z0-9_-]{22}$/)
      expect(b).not.toMatch(/203\.0\.113|2001:db8/)
    }
  })
})

describe('per-key limit and quotas', () => {
  it('limits a key across every address', async () => {
    const c = await start({ perKey: { max: 2, windowMs: WINDOW_MS }, trustProxy: 1 })
    expect((await send(c, { from: '198.51.100.1' })).status).toBe(200)
    expect((await send(c, { from: '198.51.100.2' })).status).toBe(200)
    await expect429(await send(c, { from: '198.51.100.3' }), 'rate_limited', '59')
  })

  it('lets a browser read Retry-After on a 429 from an allowed origin', async () => {
    const c = await start({ perKey: { max: 1, windowMs: WINDOW_MS } })
    const from = (origin: string) =>
      fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin },
        body: JSON.stringify({ events: [makeEvent()] }),
      })
    expect((await from('https://support.example.com')).status).toBe(200)
    const res = await from('https://support.example.com')
    await expect429(res, 'rate_limited', '59')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After')
  })

  it('stops storing for a project past its event quota, and only for that project', async () => {
    const small = { max: 10, windowMs: WINDOW_MS }
    let c!: TestCollector
    c = await start({ eventsPerProject: (p) => (p.id === c.project.id ? small : undefined) })
    const other = await provisionProject(c.store, { name: 'other', allowedOrigins: ['*'] })
    expect((await send(c, { events: 6 })).status).toBe(200)
    const stored = await c.store.countEvents(c.project.id)
    await expect429(await send(c, { events: 6 }), 'quota_exceeded', '59')
    expect(await c.store.countEvents(c.project.id)).toBe(stored)
    expect((await send(c, { key: other.publicKey, events: 50 })).status).toBe(200)
    clock = T0 + WINDOW_MS
    expect((await send(c, { events: 6 })).status).toBe(200)
  })
})

describe('addressUnit', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:aa:bb:1:2:3:4', '2001:db8:aa:bb::/64'],
    ['2001:0db8:00aa:00bb::1', '2001:db8:aa:bb::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['[2001:db8::1]:443', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s counts as %s', (address, unit) => {
    expect(addressUnit(address)).toBe(unit)
  })
})
