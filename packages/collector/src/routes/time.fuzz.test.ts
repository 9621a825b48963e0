// Generated time fields on every route that reads one (issue 18): `sentAt` and `occurredAt` at
// ingest, `createdAt` in the answer log, `since`/`until` on every reading route and in a scan,
// `week` of the eval slice. Whatever the value, the answer is never a 5xx, a refusal is the
// JSON error, and afterwards the statistics still answer at once.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'

const DAY = 86_400_000

/** Times a client, a script or an attacker might send: plausible, extreme and malformed. */
const timeValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e20',
    '9000000000000000',
    '8640000000000001',
    'NaN',
    'Infinity',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-12-05T23:59:60Z',
    '2026-12-05T12:00:00+14:00',
    '2026-W49',
    '2026-12-05',
    ' 2026-12-05T00:00:00Z',
    '1970-01-01T00:00:00.000000001Z',
  ),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => {
    const d = new Date(ms)
    return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
  }),
  fc
    .integer({ min: -400 * DAY, max: 400 * DAY })
    .map((off) => new Date(Date.now() + off).toISOString()),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.string({ maxLength: 40 }),
)

onEachEngine((engine, openStore, dropStore) =>
  describe(engine, () => {
    let c: TestCollector
    beforeAll(async () => {
      c = await startTestCollector(openStore ? { store: await openStore() } : {})
    })
    afterAll(async () => {
      await c.close()
      if (openStore) await c.store.close()
      await dropStore?.()
    })

    const auth = () => ({ authorization: `Bearer ${c.secretKey}` })
    const statuses: number[] = []

    async function expectHandled(res: Response, what: string) {
      statuses.push(res.status)
      expect(res.status, what).toBeLessThan(500)
      if (res.status >= 400) {
        const body = (await res.json()) as { error?: { code?: string } }
        expect(typeof body.error?.code, what).toBe('string')
      } else await res.arrayBuffer()
    }

    it('answers every generated time on every route without a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(timeValue, timeValue, async (a, b) => {
          const ingest = await fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify({
              sentAt: a,
              events: [makeEvent('thumbs_down', { occurredAt: b })],
            }),
          })
          await expectHandled(ingest, `ingest sentAt=${a} occurredAt=${b}`)
          const answers = await fetch(`${c.url}/v1/answers`, {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'application/json' },
            body: JSON.stringify({
              answers: [
                { requestId: `r-${Math.random()}`, prompt: 'p', response: 'r', createdAt: a },
              ],
            }),
          })
          await expectHandled(answers, `answers createdAt=${a}`)
          const query = new URLSearchParams({ since: a, until: b }).toString()
          for (const path of ['/v1/events', '/v1/stats', '/v1/export/stats', '/v1/export']) {
            const res = await fetch(`${c.url}${path}?${query}`, { headers: auth() })
            await expectHandled(res, `${path}?${query}`)
          }
          const slice = await fetch(`${c.url}/v1/eval-slice?week=${encodeURIComponent(a)}`, {
            headers: auth(),
          })
          await expectHandled(slice, `eval-slice week=${a}`)
          const scan = await fetch(`${c.url}/v1/adversaries/scan`, {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'application/json' },
            body: JSON.stringify({ since: a, until: b }),
          })
          await expectHandled(scan, `scan since=${a} until=${b}`)
        }),
        { numRuns: 150, seed: 18 },
      )
      // Both answers were seen: some values were refused, some accepted.
      expect(statuses.some((s) => s === 400)).toBe(true)
      expect(statuses.some((s) => s === 200)).toBe(true)

      // Whatever was stored, the statistics over the default range still answer promptly.
      const started = performance.now()
      const stats = await fetch(`${c.url}/v1/stats`, { headers: auth() })
      expect(stats.status).toBe(200)
      expect(performance.now() - started).toBeLessThan(5_000)
    }, 120_000)
  }),
)
