// @vitest-environment happy-dom
import { BEACON_BUDGET_BYTES } from '@tightloop/schema/limits'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BATCH_MAX_BYTES, createClient, SDK } from './client.ts'
import { idbStorage, type QueueStorage } from './storage.ts'
import {
  fakeCollector,
  fakeTime,
  setHidden,
  settle,
  sharedMemoryStorage,
  until,
} from './test-support.ts'
import type { ClientOptions, FeedbackClient } from './types.ts'

const ENDPOINT = 'https://collector.test/'
let clients: FeedbackClient[] = []

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
})
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()))
  clients = []
  setHidden(false)
})

/** One settled page with a fake clock and collector; `page()` opens another on the origin. */
async function setup(base: Partial<ClientOptions> = {}) {
  const time = fakeTime()
  const collector = fakeCollector()
  const beacons: { url: string; body: string }[] = []
  let beaconAnswer = true
  const page = (more: Partial<ClientOptions> = {}) => {
    const client = createClient({
      endpoint: ENDPOINT,
      key: 'pk_test',
      fetch: collector.fetch,
      sendBeacon: (url, body) => {
        beacons.push({ url, body })
        return beaconAnswer
      },
      now: time.now,
      setTimeout: time.setTimeout,
      clearTimeout: time.clearTimeout,
      random: () => 0.5,
      locks: null,
      ...base,
      ...more,
    })
    clients.push(client)
    return client
  }
  const client = page()
  await settle()
  return {
    time,
    collector,
    beacons,
    page,
    client,
    refuseBeacons: () => {
      beaconAnswer = false
    },
  }
}

/** The events IndexedDB holds for a project, parsed. */
async function queued(key = 'pk_test') {
  const entries = await idbStorage(`tightloop-${key}`).entries()
  return entries.filter(([id]) => id[0] !== '$').map(([, json]) => JSON.parse(json as string))
}

const answer = (n: number, extra = {}) => ({
  requestId: `req-${n}`,
  prompt: `question ${n}`,
  response: `answer ${n}`,
  ...extra,
})

describe('the write-ahead queue', () => {
  it('holds an event in IndexedDB before the call resolves', async () => {
    const { client, collector } = await setup()
    await client.thumbsDown({ ...answer(1), comment: 'wrong fee' })
    const events = await queued()
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      signal: 'thumbs_down',
      requestId: 'req-1',
      comment: 'wrong fee',
    })
    expect(collector.requests).toHaveLength(0)
    expect(client.status.value).toMatchObject({ storage: 'indexeddb', queued: 1, dropped: 0 })
  })

  it('sends nothing that storage does not hold yet, even when the page starts busy', async () => {
    const collector = fakeCollector()
    const unstored: string[] = []
    const client = createClient({
      endpoint: ENDPOINT,
      key: 'pk_test',
      locks: null,
      fetch: async (url, init) => {
        const held = new Set((await queued()).map((event) => event.eventId))
        const body = JSON.parse(init.body as string)
        for (const event of body.events) if (!held.has(event.eventId)) unstored.push(event.eventId)
        return collector.fetch(url, init)
      },
    })
    clients.push(client)
    await Promise.all(Array.from({ length: 60 }, (_, n) => client.thumbsUp(answer(n))))
    await client.flush()
    await until(() => collector.stored.size === 60, 'all events stored')
    expect(unstored).toEqual([])
  })

  it('never sends an event whose write has not committed', async () => {
    const inner = sharedMemoryStorage()
    const committed = new Set<string>()
    let gate: Promise<void> = Promise.resolve()
    const storage: QueueStorage = {
      kind: 'indexeddb',
      entries: () => inner.entries(),
      delMany: (keys) => inner.delMany(keys),
      setMany: async (list) => {
        await gate
        await inner.setMany(list)
        for (const [key] of list) committed.add(key)
      },
    }
    const collector = fakeCollector()
    const uncommitted: string[] = []
    let answerFirst: (() => void) | undefined
    const time = fakeTime()
    const client = createClient({
      endpoint: ENDPOINT,
      key: 'pk_test',
      storage,
      locks: null,
      now: time.now,
      setTimeout: time.setTimeout,
      clearTimeout: time.clearTimeout,
      fetch: async (url, init) => {
        for (const event of JSON.parse(init.body as string).events) {
          if (!committed.has(event.eventId)) uncommitted.push(event.eventId)
        }
        if (!answerFirst) await new Promise<void>((resolve) => (answerFirst = resolve))
        return collector.fetch(url, init)
      },
    })
    clients.push(client)
    await settle()
    await client.thumbsUp(answer(1))
    client.flush()
    await until(() => answerFirst !== undefined, 'the first request')
    // A new event arrives while the first request is out, and its write is slow.
    let commit!: () => void
    gate = new Promise((resolve) => (commit = resolve))
    const late = client.thumbsUp(answer(2))
    await settle()
    answerFirst!()
    await settle()
    commit()
    await late
    await time.advance(1_000)
    expect(collector.stored.size).toBe(2)
    expect(uncommitted).toEqual([])
  })

  it('writes the calls of one tick in one transaction', async () => {
    const storage = sharedMemoryStorage()
    const { client } = await setup({ storage })
    await settle()
    const before = storage.transactions
    await Promise.all([
      client.thumbsUp(answer(1)),
      client.thumbsDown(answer(2)),
      client.csat({ ...answer(3), score: 2 }),
    ])
    expect(storage.transactions - before).toBe(1)
    expect((await storage.entries()).filter(([id]) => id[0] !== '$')).toHaveLength(3)
  })

  it('keeps each project in its own database', async () => {
    const { page, time, collector } = await setup()
    const other = page({ key: 'pk_other' })
    await settle()
    await other.thumbsUp(answer(1))
    await clients[0]!.thumbsUp(answer(2))
    expect(await queued('pk_test')).toMatchObject([{ requestId: 'req-2' }])
    expect(await queued('pk_other')).toMatchObject([{ requestId: 'req-1' }])
    await time.advance(1_000)
    const byKey = Object.fromEntries(
      collector.requests.map((r) => [new URL(r.url).searchParams.get('key'), r.body.events]),
    )
    expect(byKey.pk_test).toMatchObject([{ requestId: 'req-2' }])
    expect(byKey.pk_other).toMatchObject([{ requestId: 'req-1' }])
  })

  it('builds every signal as the wire protocol wants it', async () => {
    const { page, time, collector } = await setup({
      productVersion: 'app-3',
      modelVersion: 'gpt-x',
    })
    const client = clients[0]!
    await client.thumbsUp(answer(1))
    await client.thumbsDown({ ...answer(2), comment: 'no' })
    await client.csat({ ...answer(3), score: 4 })
    await client.correct({ ...answer(4), correctionText: 'the right answer' })
    await client.escalate({ ...answer(5), reason: 'wrong_answer' })
    await client.shown({ ...answer(6), metadata: { channel: 'web', turn: 2 } })
    await time.advance(1_000)
    const events = collector.events()
    expect(events.map((e) => e.signal)).toEqual([
      'thumbs_up',
      'thumbs_down',
      'csat',
      'explicit_correction',
      'agent_escalation',
      'response_shown',
    ])
    expect(events[2]).toMatchObject({ csat: 4 })
    expect(events[3]).toMatchObject({ correctionText: 'the right answer', response: 'answer 4' })
    expect(events[4]).toMatchObject({ escalationReason: 'wrong_answer' })
    expect(events[5]).toMatchObject({ metadata: { channel: 'web', turn: 2 } })
    const userIds = new Set(events.map((e) => e.userId))
    expect(userIds.size).toBe(1)
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1)
    for (const e of events) {
      expect(e).toMatchObject({ productVersion: 'app-3', modelVersion: 'gpt-x' })
      expect(e.occurredAt).toBe(new Date(time.now() - 1_000).toISOString())
    }
    // The anonymous id is kept in storage: the next page uses the same one.
    await page().thumbsUp(answer(7))
    await time.advance(1_000)
    expect(collector.events().at(-1)!.userId).toBe([...userIds][0])
    // A given user id wins.
    await page({ userId: 'user-42' }).thumbsUp(answer(8))
    await time.advance(1_000)
    expect(collector.events().at(-1)!.userId).toBe('user-42')
  })

  it('sends a thumbs down under the eventId given, and its amendment with `amends`', async () => {
    const { time, collector } = await setup()
    const client = clients[0]!
    await client.thumbsDown({ ...answer(1), eventId: 'vote-1' })
    await client.thumbsDown({ ...answer(1), amends: 'vote-1', comment: 'wrong fee' })
    await time.advance(1_000)
    const [vote, amendment] = collector.events()
    expect(vote).toMatchObject({ eventId: 'vote-1', signal: 'thumbs_down' })
    expect(vote).not.toHaveProperty('amends')
    expect(amendment).toMatchObject({
      signal: 'thumbs_down',
      amends: 'vote-1',
      comment: 'wrong fee',
    })
    expect(amendment!.eventId).not.toBe('vote-1')
  })

  it('clips texts to the protocol limits instead of losing the feedback', async () => {
    const { client, time, collector } = await setup()
    await client.correct({
      requestId: 'r',
      prompt: 'é'.repeat(20_000),
      response: 'a'.repeat(40_000),
      correctionText: '€'.repeat(20_000),
    })
    await time.advance(1_000)
    const [event] = collector.events()
    expect(event).toBeDefined()
    const bytes = (s?: string) => new TextEncoder().encode(s).length
    expect(bytes(event!.prompt)).toBeLessThanOrEqual(16 * 1024)
    expect(bytes(event!.response)).toBeLessThanOrEqual(32 * 1024)
    expect(event!.prompt!.startsWith('éé')).toBe(true)
    expect(event!.prompt!.includes('\uFFFD')).toBe(false)
  })
})

describe('batching', () => {
  it('sends at most 50 events per request, with sentAt and the client block', async () => {
    const { client, time, collector } = await setup()
    await Promise.all(Array.from({ length: 120 }, (_, n) => client.thumbsUp(answer(n))))
    await time.advance(1_000)
    expect(collector.requests.map((r) => r.ids.length)).toEqual([50, 50, 20])
    expect(collector.stored.size).toBe(120)
    for (const request of collector.requests) {
      expect(request.url).toBe('https://collector.test/v1/events?key=pk_test')
      expect(request.body.sentAt).toBe(new Date(time.now() - 1_000).toISOString())
      expect(request.body.client).toEqual({ sdk: SDK, storage: 'indexeddb', dropped: 0 })
      expect(request.keepalive).toBe(false)
    }
    expect(await queued()).toEqual([])
    expect(client.status.value.queued).toBe(0)
  })

  it('keeps every request under 56 KiB', async () => {
    const { client, time, collector } = await setup()
    const big = 'x'.repeat(9_000)
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => client.thumbsDown(answer(n, { response: big }))),
    )
    await time.advance(1_000)
    expect(collector.stored.size).toBe(20)
    expect(collector.requests.length).toBeGreaterThanOrEqual(4)
    for (const request of collector.requests)
      expect(request.bytes).toBeLessThanOrEqual(BATCH_MAX_BYTES)
  })

  it('measures batches in UTF-8 bytes, not characters', async () => {
    const { client, time, collector } = await setup()
    const big = 'é'.repeat(9_000) // 18,000 bytes in 9,000 characters
    await Promise.all(
      Array.from({ length: 12 }, (_, n) => client.thumbsDown(answer(n, { response: big }))),
    )
    await time.advance(1_000)
    expect(collector.stored.size).toBe(12)
    for (const request of collector.requests)
      expect(request.bytes).toBeLessThanOrEqual(BATCH_MAX_BYTES)
  })

  it('sends a full batch at once and a small one after the short delay', async () => {
    const { client, time, collector } = await setup()
    await Promise.all(Array.from({ length: 10 }, (_, n) => client.thumbsUp(answer(n))))
    await time.advance(999)
    expect(collector.requests).toHaveLength(0)
    await time.advance(1)
    expect(collector.requests).toHaveLength(1)
    await Promise.all(Array.from({ length: 50 }, (_, n) => client.thumbsUp(answer(n))))
    await time.advance(0)
    expect(collector.requests).toHaveLength(2)
  })

  it('sends now on flush()', async () => {
    const { client, collector } = await setup()
    await client.thumbsUp(answer(1))
    await client.flush()
    expect(collector.stored.size).toBe(1)
  })
})

describe('retries', () => {
  it('retries network errors with doubling backoff until the collector answers', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() => 'network')
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    const ids = collector.requests[0]!.ids
    // random() = 0.5 means no jitter: 2 s, 4 s, 8 s.
    for (const wait of [2_000, 4_000, 8_000]) {
      const before = collector.requests.length
      await time.advance(wait - 1)
      expect(collector.requests).toHaveLength(before)
      await time.advance(1)
      expect(collector.requests).toHaveLength(before + 1)
    }
    expect(await queued()).toHaveLength(1)
    collector.respond(undefined)
    await time.advance(16_000)
    expect(collector.stored.size).toBe(1)
    // Every attempt carried the same event id.
    expect(new Set(collector.requests.flatMap((r) => r.ids))).toEqual(new Set(ids))
    expect(await queued()).toEqual([])
  })

  it.each([500, 503, 408, 429])('retries a %i and keeps the events meanwhile', async (status) => {
    const { client, time, collector } = await setup()
    collector.respond(() => collector.json(status, { error: { code: 'internal', message: '' } }))
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    expect(collector.requests).toHaveLength(1)
    await time.advance(2_000)
    expect(collector.requests).toHaveLength(2)
    expect(await queued()).toHaveLength(1)
    collector.respond(undefined)
    await time.advance(4_000)
    expect(collector.stored.size).toBe(1)
  })

  it('waits as long as Retry-After says, even when the network comes back', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() =>
      collector.json(
        429,
        { error: { code: 'rate_limited', message: '' } },
        { 'retry-after': '30' },
      ),
    )
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    collector.respond(undefined)
    window.dispatchEvent(new Event('online'))
    await time.advance(29_999)
    expect(collector.requests).toHaveLength(1)
    await time.advance(1)
    expect(collector.requests).toHaveLength(2)
    expect(collector.stored.size).toBe(1)
  })

  it('backs off even when Retry-After says 0', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() =>
      collector.json(503, { error: { code: 'unavailable', message: '' } }, { 'retry-after': '0' }),
    )
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    // random() = 0.5: 2 s, then 4 s, as without the header.
    await time.advance(1_999)
    expect(collector.requests).toHaveLength(1)
    await time.advance(1)
    expect(collector.requests).toHaveLength(2)
    await time.advance(3_999)
    expect(collector.requests).toHaveLength(2)
    collector.respond(undefined)
    await time.advance(1)
    expect(collector.stored.size).toBe(1)
  })

  it('retries at once when the browser comes back online', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() => 'network')
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    window.dispatchEvent(new Event('offline'))
    await settle()
    expect(client.status.value.online).toBe(false)
    collector.respond(undefined)
    window.dispatchEvent(new Event('online'))
    await time.advance(0)
    expect(collector.stored.size).toBe(1)
    expect(client.status.value.online).toBe(true)
  })

  it('retries a 200 that is not the collector (a captive portal)', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() => new Response('<html>Sign in to Wi-Fi</html>', { status: 200 }))
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    expect(await queued()).toHaveLength(1)
    collector.respond(undefined)
    await time.advance(2_000)
    expect(collector.stored.size).toBe(1)
  })
})

describe('answers that end the retries', () => {
  it('drops events the collector rejects and keeps none of the batch', async () => {
    const { client, time, collector } = await setup()
    await client.csat({ ...answer(1), score: 9 }) // not 1–5: rejected for good
    await client.thumbsUp(answer(2))
    await time.advance(1_000)
    expect(collector.events().map((e) => e.signal)).toEqual(['thumbs_up'])
    expect(await queued()).toEqual([])
    expect(client.status.value.dropped).toBe(1)
    await time.advance(3_600_000)
    expect(collector.requests).toHaveLength(1)
  })

  it.each([400, 413])(
    'splits a batch refused with %i down to the culprit, drops and reports it',
    async (status) => {
      const { client, time, collector } = await setup()
      await Promise.all(Array.from({ length: 10 }, (_, n) => client.thumbsUp(answer(n))))
      const poison = (await queued())[3].eventId
      collector.respond((request) =>
        request.ids.includes(poison)
          ? collector.json(status, { error: { code: 'invalid_body', message: '' } })
          : undefined,
      )
      await time.advance(1_000)
      expect(collector.stored.size).toBe(9)
      expect(collector.stored.has(poison)).toBe(false)
      expect(await queued()).toEqual([])
      expect(client.status.value.dropped).toBe(1)
      expect(collector.requests.length).toBeLessThan(15)
      // The drop is reported once, by the first request that succeeds after it.
      const reports = collector.requests
        .filter((r) => !r.ids.includes(poison))
        .map((r) => r.body.client!.dropped)
      expect(reports.filter((d) => d === 1)).toHaveLength(1)
      await client.thumbsUp(answer(11))
      await time.advance(1_000)
      expect(collector.requests.at(-1)!.body.client!.dropped).toBe(0)
    },
  )

  it.each([
    [401, 'unauthorized'],
    [403, 'origin_not_allowed'],
  ])('stops at a %i, keeps every event and says why', async (status, code) => {
    const { client, time, collector } = await setup()
    const message = `${code}: how to fix it`
    collector.respond(() => collector.json(status, { error: { code, message } }))
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    expect(client.status.value.error).toBe(code)
    expect(client.status.value.message).toBe(message)
    await client.thumbsDown(answer(2))
    window.dispatchEvent(new Event('online'))
    await client.flush()
    await time.advance(3_600_000)
    expect(collector.requests).toHaveLength(1)
    expect(await queued()).toHaveLength(2)
    expect(time.pending()).toBe(0)
  })

  it('names an unexpected 4xx by its status', async () => {
    const { client, time, collector } = await setup()
    collector.respond(() => new Response('not here', { status: 404 }))
    await client.thumbsUp(answer(1))
    await time.advance(1_000)
    expect(client.status.value.error).toBe('http_404')
    expect(await queued()).toHaveLength(1)
  })
})

describe('the bounded queue', () => {
  it('drops the oldest past the event bound, counts them and reports the count once', async () => {
    const { client, time, collector } = await setup({ maxQueueEvents: 5 })
    collector.respond(() => 'network')
    for (let n = 0; n < 8; n++) await client.thumbsUp(answer(n))
    expect((await queued()).map((e) => e.requestId)).toEqual([
      'req-3',
      'req-4',
      'req-5',
      'req-6',
      'req-7',
    ])
    expect(client.status.value.dropped).toBe(3)
    collector.respond(undefined)
    window.dispatchEvent(new Event('online'))
    await time.advance(1_000)
    expect(collector.stored.size).toBe(5)
    const reported = collector.requests.filter((r) => r.body.client!.dropped === 3)
    expect(reported).toHaveLength(collector.requests.length) // every failed try, then the success
    await client.thumbsUp(answer(9))
    await time.advance(1_000)
    expect(collector.requests.at(-1)!.body.client!.dropped).toBe(0)
  })

  it('drops the oldest past the byte bound', async () => {
    const { client, collector } = await setup({ maxQueueBytes: 3_000 })
    collector.respond(() => 'network')
    for (let n = 0; n < 5; n++) await client.thumbsDown(answer(n, { response: 'x'.repeat(900) }))
    const kept = await queued()
    expect(kept.length).toBe(2)
    expect(kept.map((e) => e.requestId)).toEqual(['req-3', 'req-4'])
    expect(client.status.value.dropped).toBe(3)
  })

  it('keeps the drop count in storage until a later page reports it', async () => {
    const { client, page, time, collector } = await setup({ maxQueueEvents: 2 })
    collector.respond(() => 'network')
    for (let n = 0; n < 5; n++) await client.thumbsUp(answer(n))
    await client.close()
    await settle()
    collector.respond(undefined)
    page()
    await settle()
    await time.advance(1_000)
    expect(collector.requests.at(-1)!.body.client!.dropped).toBe(3)
    expect(collector.stored.size).toBe(2)
  })
})

describe('pages that go away', () => {
  it('resends what an earlier page queued, with the same event ids', async () => {
    const { client, page, time, collector } = await setup()
    collector.respond(() => 'network')
    await Promise.all([client.thumbsUp(answer(1)), client.thumbsDown(answer(2))])
    await time.advance(1_000)
    const ids = collector.requests[0]!.ids
    await client.close()
    collector.respond(undefined)
    page()
    await settle()
    await time.advance(1_000)
    expect([...collector.stored.keys()].sort()).toEqual([...ids].sort())
  })

  it('beacons the queue at pagehide with the key in the URL, and keeps it until answered', async () => {
    const { client, page, time, beacons, collector } = await setup()
    await client.shown(answer(1))
    await client.thumbsDown(answer(1))
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(beacons).toHaveLength(1)
    expect(beacons[0]!.url).toBe('https://collector.test/v1/events?key=pk_test')
    const sent = JSON.parse(beacons[0]!.body)
    // Leaving is reported as a fact, never as an abandonment (which every reload used to
    // send, even after a vote): the collector judges the session from its timeline.
    expect(sent.events.map((e: { signal: string }) => e.signal)).toEqual([
      'response_shown',
      'thumbs_down',
      'page_left',
    ])
    expect(sent.client.dropped).toBe(0)
    // A beacon never says whether it arrived: the next page sends the events again.
    await client.close()
    expect((await queued()).length).toBeGreaterThanOrEqual(2)
    page()
    await time.advance(1_000)
    expect(collector.events().map((e) => e.signal)).toEqual(
      expect.arrayContaining(['response_shown', 'thumbs_down']),
    )
  })

  it('keeps the session id across a reload (sessionStorage), and sends prompts and resolutions as facts', async () => {
    const first = await setup()
    await first.client.prompted('where is my card?')
    await first.client.resolve('req-1')
    const before = first.client.sessionId
    await first.client.close()
    const second = await setup()
    expect(second.client.sessionId).toBe(before)
    await second.client.close()
  })

  it('leaves refused beacons queued and sends them by fetch later', async () => {
    const { client, time, refuseBeacons, collector } = await setup()
    refuseBeacons()
    await client.thumbsUp(answer(1))
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(await queued()).toHaveLength(1)
    await time.advance(1_000)
    expect(collector.stored.size).toBe(1)
  })

  it('splits a 100 KiB backlog under the 64 KiB budget and drops none of it', async () => {
    const { client, page, time, beacons, collector } = await setup()
    collector.respond(() => 'network')
    const big = 'y'.repeat(5_000)
    for (let n = 0; n < 20; n++) await client.thumbsDown(answer(n, { response: big }))
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    const sizes = beacons.map((b) => new Blob([b.body]).size)
    expect(sizes.length).toBeGreaterThan(0)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(BATCH_MAX_BYTES)
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(BEACON_BUDGET_BYTES)
    expect(client.status.value.dropped).toBe(0)
    await client.close()
    expect(await queued()).toHaveLength(20)
    collector.respond(undefined)
    page()
    await settle()
    await time.advance(1_000)
    expect(collector.stored.size).toBe(20)
  })

  it('sends with fetch keepalive when the page is hidden, and forgets what was answered', async () => {
    const { client, collector } = await setup()
    await client.thumbsUp(answer(1))
    setHidden(true)
    await settle()
    expect(collector.requests).toHaveLength(1)
    expect(collector.requests[0]!.keepalive).toBe(true)
    expect(collector.requests[0]!.body.client!.dropped).toBe(0)
    await settle()
    expect(await queued()).toEqual([])
  })
})

describe('the page is never hurt', () => {
  it('resolves misuse instead of throwing', async () => {
    const { client } = await setup()
    const misuse = client as unknown as Record<string, (...args: unknown[]) => Promise<void>>
    await expect(misuse.thumbsDown!(undefined)).resolves.toBeUndefined()
    await expect(misuse.csat!(null)).resolves.toBeUndefined()
    await expect(misuse.prompted!(undefined)).resolves.toBeUndefined()
    await expect(
      client.shown({ requestId: 'r', metadata: { big: 1n } as unknown as Record<string, number> }),
    ).resolves.toBeUndefined()
  })

  it('does nothing more once closed', async () => {
    const { client, time, collector } = await setup()
    await client.close()
    await client.thumbsUp(answer(1))
    window.dispatchEvent(new Event('pagehide'))
    await time.advance(60_000)
    expect(collector.requests).toHaveLength(0)
    expect(await queued()).toEqual([])
  })
})
