// Key rotation through the real server: old and new keys both work until the grace ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rotateKeys } from './rotate.ts'
import { makeEvent, startTestCollector, type TestCollector } from './testing.ts'

const T0 = Date.UTC(2026, 10, 26, 12)
const GRACE_MS = 10 * 60_000
let clock = T0
let collector: TestCollector
beforeAll(async () => {
  collector = await startTestCollector({ now: () => clock })
})
afterAll(() => collector.close())

const ingest = (key: string) =>
  fetch(`${collector.url}/v1/events?key=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [makeEvent()] }),
  }).then((r) => r.status)
const read = (secret: string) =>
  fetch(`${collector.url}/v1/project`, { headers: { authorization: `Bearer ${secret}` } }).then(
    (r) => r.status,
  )

describe('rotateKeys', () => {
  it('keeps the old public key working for the grace period, then only the new one', async () => {
    const old = collector.publicKey
    const fresh = await rotateKeys(collector.store, collector.project.id, {
      kind: 'public',
      graceMs: GRACE_MS,
      now: clock,
    })
    expect(fresh).toMatch(/^pk_/)
    expect(fresh).not.toBe(old)
    expect([await ingest(old), await ingest(fresh)]).toEqual([200, 200])
    clock = T0 + GRACE_MS - 1
    expect([await ingest(old), await ingest(fresh)]).toEqual([200, 200])
    clock = T0 + GRACE_MS
    expect([await ingest(old), await ingest(fresh)]).toEqual([401, 200])
  })

  it('rotating again never extends an older key, and grace 0 retires keys at once', async () => {
    clock = T0
    const a = await rotateKeys(collector.store, collector.project.id, {
      kind: 'secret',
      graceMs: GRACE_MS,
      now: clock,
    })
    const b = await rotateKeys(collector.store, collector.project.id, {
      kind: 'secret',
      graceMs: 0,
      now: clock,
    })
    expect(a).toMatch(/^sk_/)
    expect(await collector.store.findKey(a)).toBeNull() // stored as a hash only
    expect([await read(collector.secretKey), await read(a), await read(b)]).toEqual([401, 401, 200])
  })

  it('refuses a negative grace and an unknown project', async () => {
    await expect(
      rotateKeys(collector.store, collector.project.id, { kind: 'public', graceMs: -1 }),
    ).rejects.toThrow(RangeError)
    await expect(
      rotateKeys(collector.store, 'prj_nope', { kind: 'public', graceMs: 0 }),
    ).rejects.toThrow()
  })
})
