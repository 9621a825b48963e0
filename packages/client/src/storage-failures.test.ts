// @vitest-environment happy-dom
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from './client.ts'
import type { QueueStorage } from './storage.ts'
import {
  failingStorage,
  fakeCollector,
  fakeTime,
  settle,
  sharedMemoryStorage,
} from './test-support.ts'
import type { ClientOptions, FeedbackClient } from './types.ts'

let clients: FeedbackClient[] = []
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
})
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()))
  clients = []
})

function open(options: Partial<ClientOptions> = {}) {
  const time = fakeTime()
  const collector = fakeCollector()
  const client = createClient({
    endpoint: 'https://collector.test',
    key: 'pk_test',
    fetch: collector.fetch,
    now: time.now,
    setTimeout: time.setTimeout,
    clearTimeout: time.clearTimeout,
    random: () => 0.5,
    locks: null,
    ...options,
  })
  clients.push(client)
  return { client, time, collector }
}

/** Queues three events and checks they all reach the collector from memory. */
async function deliversFromMemory({ client, time, collector }: ReturnType<typeof open>) {
  await settle()
  await client.thumbsUp({ requestId: 'r1' })
  await client.thumbsDown({ requestId: 'r2', comment: 'still wrong' })
  await client.csat({ requestId: 'r3', score: 1 })
  expect(client.status.value.storage).toBe('memory')
  await time.advance(1_000)
  expect(collector.events().map((e) => e.requestId)).toEqual(['r1', 'r2', 'r3'])
  expect(collector.requests.at(-1)!.body.client!.storage).toBe('memory')
  expect(client.status.value.queued).toBe(0)
}

// Vitest fails a run on any unhandled rejection or uncaught error, so each case below also
// proves that nothing escaped to the page.
describe('when storage fails the page does not', () => {
  it('works in memory when IndexedDB is missing', async () => {
    Reflect.deleteProperty(globalThis, 'indexedDB')
    await deliversFromMemory(open())
  })

  it('works in memory when opening throws SecurityError (Safari private mode)', async () => {
    globalThis.indexedDB = {
      open() {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    } as unknown as IDBFactory
    await deliversFromMemory(open())
  })

  it('works in memory when opening fails with InvalidStateError (Firefox private mode)', async () => {
    globalThis.indexedDB = {
      open() {
        const request = {
          error: new DOMException('A mutation operation was attempted', 'InvalidStateError'),
        } as { error: DOMException; onerror?: () => void }
        setTimeout(() => request.onerror?.())
        return request
      },
    } as unknown as IDBFactory
    await deliversFromMemory(open())
  })

  it.each(['SecurityError', 'InvalidStateError', 'QuotaExceededError', 'UnknownError'])(
    'works in memory when every storage call fails with %s',
    async (name) => {
      await deliversFromMemory(open({ storage: failingStorage(name) }))
    },
  )

  it('keeps an event whose write hits QuotaExceededError, and says so', async () => {
    // The first write (the anonymous id, at start) works; the events' write does not.
    const run = open({ storage: failingStorage('QuotaExceededError', ['setMany'], 1) })
    await settle()
    expect(run.client.status.value.storage).toBe('indexeddb')
    await deliversFromMemory(run)
  })

  it('carries on in memory when storage never opens (a hung IndexedDB)', async () => {
    const hung: QueueStorage = {
      kind: 'indexeddb',
      entries: () => new Promise(() => {}),
      setMany: () => new Promise(() => {}),
      delMany: () => new Promise(() => {}),
    }
    const run = open({ storage: hung })
    const queuedCall = run.client.thumbsUp({ requestId: 'early' })
    await run.time.advance(5_000)
    await queuedCall
    expect(run.client.status.value.storage).toBe('memory')
    await run.time.advance(1_000)
    expect(run.collector.events().map((e) => e.requestId)).toEqual(['early'])
  })

  it('notices an evicted store and keeps sending what it holds from memory', async () => {
    const storage = sharedMemoryStorage()
    const run = open({ storage })
    await settle()
    run.collector.respond(() => 'network')
    await run.client.thumbsUp({ requestId: 'before-eviction' })
    await run.time.advance(1_000)
    // The browser clears the origin's storage while the page runs.
    await storage.delMany((await storage.entries()).map(([key]) => key))
    run.collector.respond(undefined)
    await run.time.advance(2_000)
    expect(run.client.status.value.storage).toBe('memory')
    expect(run.collector.events().map((e) => e.requestId)).toEqual(['before-eviction'])
    await run.client.thumbsUp({ requestId: 'after-eviction' })
    await run.time.advance(1_000)
    expect(run.collector.stored.size).toBe(2)
  })

  it('bounds the memory queue like the stored one', async () => {
    Reflect.deleteProperty(globalThis, 'indexedDB')
    const run = open({ maxQueueEvents: 3 })
    await settle()
    run.collector.respond(() => 'network')
    for (let n = 0; n < 5; n++) await run.client.thumbsUp({ requestId: `r${n}` })
    expect(run.client.status.value).toMatchObject({ storage: 'memory', queued: 3, dropped: 2 })
    run.collector.respond(undefined)
    window.dispatchEvent(new Event('online'))
    await run.time.advance(0)
    expect(run.collector.events().map((e) => e.requestId)).toEqual(['r2', 'r3', 'r4'])
    expect(run.collector.requests.at(-1)!.body.client!.dropped).toBe(2)
  })
})
