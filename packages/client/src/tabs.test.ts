// @vitest-environment happy-dom
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from './client.ts'
import { failingStorage, fakeCollector, fakeLocks, fakeTime, settle } from './test-support.ts'
import type { ClientOptions, FeedbackClient } from './types.ts'

let clients: FeedbackClient[] = []
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
})
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()))
  clients = []
})

/** Tabs of one origin: one IndexedDB, one lock manager, one collector, one clock. */
function browser(shared: Partial<ClientOptions> = {}) {
  const time = fakeTime()
  const collector = fakeCollector()
  const locks = fakeLocks()
  const sentBy = new Map<string, number>()
  const tab = (name: string, options: Partial<ClientOptions> = {}) => {
    const client = createClient({
      endpoint: 'https://collector.test',
      key: 'pk_tabs',
      fetch: (url, init) => {
        sentBy.set(name, (sentBy.get(name) ?? 0) + 1)
        return collector.fetch(url, init)
      },
      sendBeacon: () => false,
      now: time.now,
      setTimeout: time.setTimeout,
      clearTimeout: time.clearTimeout,
      locks,
      ...shared,
      ...options,
    })
    clients.push(client)
    return client
  }
  return { time, collector, sentBy, tab }
}

describe('many tabs, one sender', () => {
  it('sends the events of every tab from the one holding the lock', async () => {
    const { time, collector, sentBy, tab } = browser()
    const first = tab('first')
    await settle()
    const second = tab('second')
    const third = tab('third')
    await settle()
    await Promise.all([
      first.thumbsUp({ requestId: 'a' }),
      second.thumbsDown({ requestId: 'b' }),
      third.csat({ requestId: 'c', score: 5 }),
    ])
    await time.advance(1_000)
    expect(
      collector
        .events()
        .map((e) => e.requestId)
        .sort(),
    ).toEqual(['a', 'b', 'c'])
    expect([...sentBy.keys()]).toEqual(['first'])
    // The others forget what they stored: the queue they show is their own writes in flight.
    expect(second.status.value.queued).toBe(0)
  })

  it('hands over to the next tab when the sender closes, and loses nothing', async () => {
    const { time, collector, sentBy, tab } = browser()
    const first = tab('first')
    await settle()
    const second = tab('second')
    await settle()
    collector.respond(() => 'network')
    await second.thumbsDown({ requestId: 'queued-while-offline' })
    await time.advance(1_000)
    expect(collector.requests.length).toBeGreaterThan(0)
    await first.close()
    collector.respond(undefined)
    await time.advance(1_000)
    expect(collector.events().map((e) => e.requestId)).toEqual(['queued-while-offline'])
    expect(sentBy.get('second')).toBe(1)
  })

  it('without Web Locks every tab sends, and each event is stored once', async () => {
    const { time, collector, sentBy, tab } = browser({ locks: null })
    const tabs = ['a', 'b', 'c'].map((name) => tab(name))
    await settle()
    await Promise.all(
      tabs.flatMap((client, t) =>
        Array.from({ length: 20 }, (_, n) => client.thumbsUp({ requestId: `${t}-${n}` })),
      ),
    )
    await time.advance(1_000)
    await time.advance(1_000)
    expect(collector.stored.size).toBe(60)
    expect(sentBy.size).toBeGreaterThan(1)
  })

  it('a tab whose storage fails sends its own events and lets another lead', async () => {
    const { time, collector, sentBy, tab } = browser()
    const broken = tab('broken', { storage: failingStorage('QuotaExceededError', ['setMany']) })
    await settle()
    const healthy = tab('healthy')
    await settle()
    await broken.thumbsUp({ requestId: 'from-memory' })
    await healthy.thumbsUp({ requestId: 'from-indexeddb' })
    await time.advance(1_000)
    expect(broken.status.value.storage).toBe('memory')
    expect(
      collector
        .events()
        .map((e) => e.requestId)
        .sort(),
    ).toEqual(['from-indexeddb', 'from-memory'])
    expect(sentBy.get('healthy')).toBeGreaterThan(0)
  })
})
