// Fakes the client tests pass through createClient's own options: time, a collector, locks, storage.
import { type FeedbackEvent, feedbackEventSchema } from '@tightloop/schema'
import { memoryStorage, type QueueStorage } from './storage.ts'

/** Lets promise chains and fake-indexeddb (which schedules with setImmediate) run to rest. */
export async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Waits, in real turns of the event loop (never on the clock), until `check` holds. */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return
    await settle(5)
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** A clock and timers that move only when told to. */
export function fakeTime(start = Date.UTC(2026, 10, 26, 12)) {
  let now = start
  let sequence = 0
  const timers = new Map<number, { at: number; callback: () => void }>()
  return {
    now: () => now,
    setTimeout: (callback: () => void, ms: number) => {
      timers.set(++sequence, { at: now + Math.max(0, ms), callback })
      return sequence
    },
    clearTimeout: (handle: unknown) => {
      timers.delete(handle as number)
    },
    /** Timers still waiting, for asserting that nothing is scheduled. */
    pending: () => timers.size,
    /** Moves the clock, firing due timers in order and letting work settle between them. */
    async advance(ms: number) {
      const end = now + ms
      for (;;) {
        await settle()
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= end)
          .sort(([a, x], [b, y]) => x.at - y.at || a - b)[0]
        if (!due) break
        timers.delete(due[0])
        now = due[1].at
        due[1].callback()
      }
      now = end
      await settle()
    },
    /** Moves the clock without firing timers: a frozen page. */
    jump(ms: number) {
      now += ms
    },
  }
}

/** One request the fake collector received. */
export interface Received {
  url: string
  text: string
  body: { events: FeedbackEvent[]; sentAt?: string; client?: Record<string, unknown> }
  ids: string[]
  keepalive: boolean
  bytes: number
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

/**
 * A collector behind `fetch`: validates every event with the wire schema (invalid ones are
 * rejected, as the real one does) and stores each eventId once. `respond` overrides the
 * answer to a request: a Response, `'network'` for a failed fetch, or undefined for normal.
 */
export function fakeCollector() {
  const stored = new Map<string, FeedbackEvent>()
  const requests: Received[] = []
  let handler: ((request: Received) => Response | 'network' | undefined) | undefined
  const accept = (request: Received) => {
    let accepted = 0
    let duplicates = 0
    const rejected: { index: number; eventId?: string; error: string }[] = []
    request.body.events.forEach((raw, index) => {
      const parsed = feedbackEventSchema.safeParse(raw)
      if (!parsed.success) {
        rejected.push({ index, eventId: raw.eventId, error: parsed.error.message })
      } else if (stored.has(parsed.data.eventId)) duplicates++
      else {
        stored.set(parsed.data.eventId, parsed.data)
        accepted++
      }
    })
    return json(200, { accepted, duplicates, rejected })
  }
  return {
    stored,
    requests,
    respond(next: typeof handler) {
      handler = next
    },
    json,
    /** Events of one signal, in the order stored. */
    events: (signal?: string) =>
      [...stored.values()].filter((event) => !signal || event.signal === signal),
    fetch: async (url: string, init: RequestInit) => {
      const text = init.body as string
      const body = JSON.parse(text)
      const request: Received = {
        url,
        text,
        body,
        ids: body.events.map((event: FeedbackEvent) => event.eventId),
        keepalive: !!init.keepalive,
        bytes: new Blob([text]).size,
      }
      requests.push(request)
      const answer = handler?.(request)
      if (answer === 'network') throw new TypeError('Failed to fetch')
      return answer ?? accept(request)
    },
  }
}

/** Web Locks as the spec describes them for one name at a time: exclusive, granted in order. */
export function fakeLocks(): Pick<LockManager, 'request'> {
  const waiting = new Map<string, (() => void)[]>()
  const held = new Set<string>()
  const next = (name: string) => {
    held.delete(name)
    waiting.get(name)?.shift()?.()
  }
  return {
    request: ((name: string, callback: (lock: Lock | null) => unknown) =>
      new Promise<unknown>((resolve, reject) => {
        const run = () => {
          held.add(name)
          Promise.resolve()
            .then(() => callback({ name, mode: 'exclusive' } as Lock))
            .then(resolve, reject)
            .finally(() => next(name))
        }
        if (held.has(name)) waiting.set(name, [...(waiting.get(name) ?? []), run])
        else run()
      })) as LockManager['request'],
  }
}

/** A storage shared like IndexedDB (every client given it sees the same entries). */
export function sharedMemoryStorage(): QueueStorage & { transactions: number } {
  const inner = memoryStorage()
  const storage = {
    kind: 'indexeddb' as const,
    transactions: 0,
    entries: () => inner.entries(),
    setMany: (list: [string, unknown][]) => {
      storage.transactions++
      return inner.setMany(list)
    },
    delMany: (list: string[]) => inner.delMany(list),
  }
  return storage
}

/**
 * A storage whose calls fail as browsers fail (SecurityError, QuotaExceededError…): the
 * `failing` operations, after the first `spared` calls to them have worked.
 */
export function failingStorage(
  name: string,
  failing: ('entries' | 'setMany' | 'delMany')[] = ['entries', 'setMany', 'delMany'],
  spared = 0,
): QueueStorage {
  const inner = memoryStorage()
  const fails = (operation: (typeof failing)[number]) =>
    failing.includes(operation) && spared-- <= 0
  const fail = () => Promise.reject(new DOMException(`simulated ${name}`, name))
  return {
    kind: 'indexeddb',
    entries: () => (fails('entries') ? fail() : inner.entries()),
    setMany: (list) => (fails('setMany') ? fail() : inner.setMany(list)),
    delMany: (list) => (fails('delMany') ? fail() : inner.delMany(list)),
  }
}

/** A visibility state the tests can flip, announced as the browser does. */
export function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  })
  document.dispatchEvent(new Event('visibilitychange'))
}
