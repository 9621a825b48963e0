// 20 concurrent senders post overlapping batches: every event is stored exactly once.

import { seededRandom } from '@tightloop/pipeline'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector
beforeAll(async () => {
  collector = await startTestCollector()
})
afterAll(() => collector.close())

it('keeps exactly 10,000 rows when 10,000 events arrive 1-3 times from 20 senders', async () => {
  const random = seededRandom(20261126)
  const events = Array.from({ length: 10_000 }, (_, i) =>
    makeEvent(i % 3 === 0 ? 'response_shown' : 'thumbs_down', { eventId: `conc-${i}` }),
  )
  // Every event goes out 1–3 times, in shuffled order, so copies land in different batches
  // and different senders at the same moment.
  const sends = events.flatMap((e) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => e))
  for (let i = sends.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[sends[i], sends[j]] = [sends[j]!, sends[i]!]
  }
  const senders = 20
  let accepted = 0
  let duplicates = 0
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      const mine = sends.filter((_, i) => i % senders === s)
      for (let i = 0; i < mine.length; ) {
        const size = 1 + Math.floor(random() * 50)
        const batch = mine.slice(i, i + size)
        i += size
        const res = await fetch(`${collector.url}/v1/events?key=${collector.publicKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events: batch }),
        })
        expect(res.status).toBe(200)
        const body = (await res.json()) as { accepted: number; duplicates: number }
        accepted += body.accepted
        duplicates += body.duplicates
      }
    }),
  )
  expect(sends.length).toBeGreaterThan(15_000)
  expect(accepted).toBe(10_000)
  expect(accepted + duplicates).toBe(sends.length)
  expect(await collector.store.countEvents(collector.project.id)).toBe(10_000)
}, 120_000)
