// createClient. One closure holds the write-ahead queue, its sender and the session: closures
// minify smallest, and the client ships under a 3 KB budget (scripts/size.mjs). Implicit
// signals (abandonment, rephrase) are derived by the collector from the facts sent here.
import { signal } from '@preact/signals-core'
import {
  BEACON_BUDGET_BYTES,
  MAX_COMMENT_BYTES,
  MAX_PROMPT_BYTES,
  MAX_RESPONSE_BYTES,
} from '@tightloop/schema/limits'
import type { Signal } from '@tightloop/schema/signals'
import { createEventIds } from './event-id.ts'
import { parseRetryAfter, retryDelay } from './retry.ts'
import { idbStorage } from './storage.ts'
import type { AnswerContext, ClientOptions, ClientStatus, FeedbackClient } from './types.ts'

/** Sent as `client.sdk` with every batch. */
export const SDK = 'tightloop-js/0.1.0'
/** Most events in one request (the collector takes 100). */
export const BATCH_MAX_EVENTS = 50
/** Largest request body: under the 64 KiB keepalive budget with room to spare. */
export const BATCH_MAX_BYTES = 56 * 1024
// Written in place as literals (oxc keeps a module constant as a variable when its name is
// shorter than its value): the queue holds 1,000 events or 5 MB of event JSON (past either the
// oldest are dropped, and counted), 160 bytes surround the events in a body (sentAt, the
// client block), storage not open within 5 s is broken (a Safari bug hangs it).
/** Events wait this long for company before a batch leaves. */
export const FLUSH_DELAY_MS = 1_000
/** First retry after 2 s, doubling to 5 minutes, each ±50 % (posthog-js does the same). */
export const RETRY_START_MS = 2_000
export const RETRY_MAX_MS = 300_000
const USER_KEY = '$u' // the anonymous user id; its absence later means the store was evicted
const DROPPED_KEY = '$d' // events given up on and not yet reported, shared by tabs

/** One queued event. Storage holds its JSON under its eventId (strings clone cheaply). */
interface Item {
  _id: string
  _json: string
  _bytes: number
  /** Storage holds it. */
  _stored?: boolean
  /** In a request not yet answered, or handed to a beacon: not to be sent again for now. */
  _busy?: boolean
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const done = Promise.resolve()
// UTF-8 bytes. Not `new Blob([text]).size`: in Chromium a Blob costs ~0.3 ms of main thread
// (it registers with the browser process), 100 times an encode.
const sizeOf = (text: string) => encoder.encode(text).length

// Cuts text to `max` UTF-8 bytes: a clipped answer still carries the user's feedback.
const clip = (text: string | undefined, max: number) =>
  text && text.length * 3 > max
    ? decoder.decode(encoder.encode(text).slice(0, max - 3)).replace(/\uFFFD$/, '')
    : text

const ignore = () => {}
// Whatever goes wrong inside stays inside: the page never sees a throw or a rejection. The
// work runs as a microtask, so a call costs the page next to nothing.
const safe =
  <A extends unknown[]>(work: (...args: A) => unknown) =>
  (...args: A): Promise<void> =>
    done.then(() => work(...args)).then(ignore, ignore)

/**
 * Creates a feedback client. Each event is written to storage (IndexedDB, shared by the
 * origin's tabs) before any send, sent in batches by the one tab holding a Web Lock, and
 * leaves the queue only once the collector answered for it: accepted, duplicate, or
 * rejected for good. Storage failures fall back to memory; nothing is thrown at the page.
 *
 * @example
 * const client = createClient({ endpoint: 'https://feedback.example.com', key: 'pk_live_…' })
 * await client.thumbsDown({ requestId: 'req_42', prompt, response, comment: 'wrong fee' })
 * effect(() => console.log(client.status.value.queued))
 */
export function createClient(options: ClientOptions): FeedbackClient {
  const { key, userId: givenUserId } = options
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const setT = options.setTimeout ?? setTimeout
  const clearT = options.clearTimeout ?? (clearTimeout as (handle: unknown) => void)
  const send = options.fetch ?? fetch
  const nav = globalThis.navigator as Navigator | undefined
  const beacon = options.sendBeacon ?? nav?.sendBeacon?.bind(nav)
  const locks = options.locks === undefined ? nav?.locks : options.locks
  const maxEvents = options.maxQueueEvents ?? 1_000
  const maxBytes = options.maxQueueBytes ?? 5_000_000
  const name = `tightloop:${key}`
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/events?key=${encodeURIComponent(key)}`
  const nextId = createEventIds(now, random)
  const anonymousId = nextId()
  const lifetime = new AbortController()

  // The queue: every event this tab knows of. In the sending tab that is the shared queue.
  const items = new Map<string, Item>()
  let store =
    options.storage ?? (typeof indexedDB === 'object' ? idbStorage(`tightloop-${key}`) : undefined)
  let userId = givenUserId ?? anonymousId
  let dropped = 0 // given up on by this page, shown in status
  let unreported = 0 // given up on and not yet reported to the collector
  let pending: Item[] = []
  let writing: Promise<void> | undefined
  let lastWrite = done
  // The sender.
  let leader = false
  let release: (() => void) | undefined
  let channel: BroadcastChannel | undefined
  let attempt = 0
  let retryAt = 0
  let retryAfterGiven = false
  let limit = BATCH_MAX_EVENTS
  let stopped = false
  let timer: unknown
  let timerAt = 0
  let running: Promise<void> | undefined

  // The session outlives reloads and navigation inside the site: the tab's sessionStorage keeps
  // its id (per origin and tab, gone with the tab). When it ends is the collector's call: an
  // idle window, set per project, over the facts sent here.
  const sessionKey = `${name}:s`
  let sessionId = nextId()
  try {
    const kept = sessionStorage.getItem(sessionKey)
    if (kept) sessionId = kept
    else sessionStorage.setItem(sessionKey, sessionId)
  } catch {}
  let lastShown: AnswerContext | undefined
  let pendingPrompt: string | undefined
  let closed = false

  const status = signal({} as ClientStatus)
  const update = (patch?: Partial<ClientStatus>) => {
    status.value = {
      ...status.value,
      storage: store?.kind ?? 'memory',
      queued: items.size,
      dropped,
      ...patch,
    }
  }
  update({ online: nav?.onLine !== false })
  const shared = () => store?.kind === 'indexeddb'
  const isSender = () => leader || !shared()

  // Any storage error: memory from now on. Memory cannot serve other tabs, so stop leading.
  const fail = () => {
    if (!store) return
    store = undefined
    release?.()
    update()
  }
  const guard = (work?: Promise<unknown>) => work?.catch(fail)
  const saveDropped = () => guard(store?.setMany([[DROPPED_KEY, unreported]]))

  const remove = (list: Item[]) => {
    for (const item of list) items.delete(item._id)
    update()
    return guard(store?.delMany(list.map((item) => item._id)))
  }
  const drop = (count: number) => {
    dropped += count
    unreported += count
    saveDropped()
  }

  // Past either bound the oldest events go, counted; events in a request are spared.
  const trim = () => {
    let count = 0
    let bytes = 0
    const over = [...items.values()]
      .sort((a, b) => (a._id < b._id ? 1 : -1))
      .filter((item) => {
        bytes += item._bytes
        return (++count > maxEvents || bytes > maxBytes) && !item._busy
      })
    if (over.length) {
      drop(over.length)
      remove(over)
    }
  }

  // Writes that arrive in the same tick share one transaction.
  const write = async () => {
    const list = pending
    pending = []
    writing = undefined
    try {
      await store?.setMany(list.map((item) => [item._id, item._json]))
      for (const item of list) {
        item._stored = !!store
        // Another tab sends the shared queue: this one need not remember what it stored.
        if (store && !isSender()) items.delete(item._id)
      }
    } catch {
      fail()
    }
    trim()
    update()
    // A full batch leaves now; fewer events wait a moment for company.
    if (isSender()) schedule(items.size < BATCH_MAX_EVENTS ? FLUSH_DELAY_MS : 0)
    else channel?.postMessage(0)
  }

  // The sending tab reads what other tabs, and earlier pages, stored.
  const refresh = async () => {
    try {
      const stored = new Map(await store?.entries())
      if (!store) return
      // The id written when the queue opened is gone: the browser evicted the store.
      if (!stored.has(USER_KEY)) return fail()
      unreported = (stored.get(DROPPED_KEY) as number) || 0
      for (const [id, json] of stored) {
        if (id[0] !== '$' && !items.has(id)) {
          items.set(id, {
            _id: id,
            _json: json as string,
            _bytes: sizeOf(json as string),
            _stored: true,
          })
        }
      }
      trim()
    } catch {
      fail()
    }
    update()
  }

  const pick = (leaving?: boolean) => {
    const list: Item[] = []
    let bytes = 160 // the envelope
    for (const item of items.values()) {
      if (list.length >= (leaving ? BATCH_MAX_EVENTS : limit)) break
      // Unstored events wait for their write. A big event goes alone, but not with a leaving
      // page: it waits for the next visit.
      if (
        item._busy ||
        (!leaving && store && !item._stored) ||
        (bytes + item._bytes > BATCH_MAX_BYTES && (leaving || list.length))
      )
        continue
      bytes += item._bytes + 1
      list.push(item)
    }
    return list
  }

  const body = (list: Item[], reported: number) =>
    `{"events":[${list.map((item) => item._json)}],"sentAt":"${new Date(now()).toISOString()}","client":{"sdk":"${SDK}","storage":"${store?.kind ?? 'memory'}","dropped":${reported}}}`

  // Resolves true when the next batch may go. A 200 answers for every event of the batch:
  // stored, duplicate, or rejected for good. A leaving request comes with its body and
  // carries no drop count: its answer may never be read.
  const post = async (list: Item[], leaving?: string) => {
    const reported = leaving ? 0 : unreported
    let response: Response | undefined
    let reply: { rejected?: unknown[]; error?: { code?: string; message?: string } } | undefined
    for (const item of list) item._busy = true
    try {
      response = await send(url, {
        method: 'POST',
        body: leaving ?? body(list, reported),
        keepalive: !!leaving,
      })
      reply = await response.json()
    } catch {}
    for (const item of list) item._busy = false
    const code = response?.status ?? 0

    if (code === 200 && Array.isArray(reply?.rejected)) {
      attempt = 0
      limit = BATCH_MAX_EVENTS
      // Refused events are the collector's to count; the page still shows them as dropped.
      dropped += reply.rejected.length
      unreported -= reported
      if (reported) saveDropped()
      remove(list)
      return true
    }
    if (code === 400 || code === 413) {
      // Something here can never be taken: halve until the culprit is alone, then drop it.
      if (list.length > 1) limit = Math.ceil(list.length / 2)
      else {
        drop(1)
        remove(list)
      }
      return true
    }
    if (code > 400 && code < 500 && code !== 408 && code !== 429) {
      // A key, an origin or a URL that no retry can fix: keep everything and say why.
      stopped = true
      update({ error: reply?.error?.code ?? `http_${code}`, message: reply?.error?.message })
      return false
    }
    // Offline, aborted, 5xx, 408, 429, or a 200 that is not the collector's (a captive portal).
    const asked = parseRetryAfter(response?.headers.get('retry-after'), now())
    retryAfterGiven = asked !== undefined
    // Retry-After is a floor, never a shortcut: a server answering `Retry-After: 0` to every
    // request must not get each browser retrying in a tight loop.
    const delay = Math.max(asked ?? 0, retryDelay(attempt++, RETRY_START_MS, RETRY_MAX_MS, random))
    retryAt = now() + delay
    schedule(delay)
    return false
  }

  const loop = async () => {
    await ready
    if (stopped || !isSender()) return
    if (retryAt > now()) return schedule(retryAt - now())
    await refresh()
    for (let list = pick(); list.length; list = pick()) if (!(await post(list))) return
  }

  // One flush at a time. Writes that land during one schedule the next, so none is missed.
  const flush = (): Promise<void> =>
    (running ??= loop().finally(() => {
      running = undefined
    }))

  const schedule = (ms: number) => {
    const at = now() + ms
    if (stopped || (timer !== undefined && timerAt <= at)) return
    clearT(timer)
    timerAt = at
    timer = setT(() => {
      timer = undefined
      flush()
    }, ms)
  }

  // The page is going: hand the browser what fits the 64 KiB keepalive budget, now. Past it
  // the browser refuses (the events stay queued for the next visit); nothing is dropped.
  const leave = (useBeacon: boolean) => {
    if (stopped || (retryAfterGiven && retryAt > now())) return
    let budget = BEACON_BUDGET_BYTES
    for (let list = pick(true); list.length; list = pick(true)) {
      const text = body(list, 0)
      budget -= sizeOf(text)
      if (budget < 0) return
      if (!useBeacon || !beacon) post(list, text)
      else if (beacon(url, text)) for (const item of list) item._busy = true
      else return
    }
  }

  const ready: Promise<void> = store
    ? new Promise((resolve) => {
        const timeout = setT(() => {
          fail()
          resolve()
        }, 5_000) // storage not open by then is broken
        ;(async () => {
          try {
            const id = new Map(await store?.entries()).get(USER_KEY)
            if (typeof id === 'string') userId = givenUserId ?? id
            else await store?.setMany([[USER_KEY, anonymousId]])
          } catch {
            fail()
          }
          clearT(timeout)
          resolve()
        })()
      })
    : done

  // One tab sends the shared queue: the holder of a Web Lock, held until the page goes; the
  // others tell it when they store events. Without Web Locks every tab sends the queue, and
  // the collector's idempotency (one row per eventId) absorbs the overlap.
  const lead = () => {
    leader = true
    flush()
  }
  ready.then(
    safe(() => {
      if (closed) return
      if (!shared() || !locks?.request) return lead()
      if (typeof BroadcastChannel === 'function') {
        channel = new BroadcastChannel(name)
        channel.onmessage = () => leader && schedule(FLUSH_DELAY_MS)
      }
      // An opaque origin (a sandboxed frame) rejects the request: send anyway.
      locks
        .request(name, () => {
          if (closed || !shared()) return
          lead()
          return new Promise<void>((resolve) => {
            release = resolve
          })
        })
        .catch(lead)
    }),
  )

  const emit = (
    type: Signal,
    answer: AnswerContext & { comment?: string; eventId?: string },
    extra?: object,
  ) => {
    if (closed) return
    const eventId = answer.eventId || nextId()
    const event = {
      eventId,
      signal: type,
      requestId: answer.requestId,
      sessionId,
      occurredAt: new Date(now()).toISOString(),
      prompt: clip(answer.prompt, MAX_PROMPT_BYTES),
      response: clip(answer.response, MAX_RESPONSE_BYTES),
      comment: clip(answer.comment, MAX_COMMENT_BYTES),
      metadata: answer.metadata,
      productVersion: options.productVersion,
      modelVersion: options.modelVersion,
      ...extra,
    }
    return ready.then(() => {
      const json = JSON.stringify({ ...event, userId })
      const item = { _id: eventId, _json: json, _bytes: sizeOf(json) }
      items.set(eventId, item)
      pending.push(item)
      update()
      writing ??= lastWrite = done.then(write)
      return writing
    })
  }

  const on = (target: EventTarget | undefined, type: string, listener: () => unknown) =>
    target?.addEventListener(type, safe(listener), { signal: lifetime.signal })
  const win = globalThis.window as Window | undefined
  on(globalThis.document, 'visibilitychange', () => {
    if (document.hidden) leave(false)
    else {
      // Back from the back/forward cache: a beacon's fate is unknown, so send those again.
      for (const item of items.values()) item._busy = false
      flush()
    }
  })
  on(win, 'pagehide', async () => {
    // A fact, not a verdict: whether the session was abandoned is the collector's to judge.
    if (lastShown) emit('page_left', lastShown)
    // The page_left fact joins the queue a microtask later; microtasks still run before unload.
    await done
    leave(true)
  })
  on(win, 'online', () => {
    update({ online: true })
    if (!retryAfterGiven) retryAt = attempt = 0
    flush()
  })
  on(win, 'offline', () => update({ online: false }))

  return {
    status,
    get sessionId() {
      return sessionId
    },
    thumbsUp: safe((answer) => emit('thumbs_up', answer)),
    thumbsDown: safe((answer) => emit('thumbs_down', answer, { amends: answer.amends })),
    csat: safe((answer) => emit('csat', answer, { csat: answer.score })),
    correct: safe((answer) =>
      emit('explicit_correction', answer, {
        correctionText: clip(answer.correctionText, MAX_RESPONSE_BYTES),
      }),
    ),
    escalate: safe((answer) =>
      emit('agent_escalation', answer, { escalationReason: answer.reason }),
    ),
    shown: safe((answer) => {
      const shown = { ...answer, prompt: answer.prompt ?? pendingPrompt }
      pendingPrompt = undefined
      lastShown = { requestId: answer.requestId }
      return emit('response_shown', shown)
    }),
    prompted: safe((text: string, requestId?: string) => {
      pendingPrompt = text
      return emit('prompt_asked', { requestId: requestId ?? nextId(), prompt: text })
    }),
    resolve: safe((requestId: string) => emit('answer_resolved', { requestId })),
    flush: safe(async () => {
      await ready
      await lastWrite
      if (isSender()) await flush()
      else channel?.postMessage(0)
    }),
    close: safe(async () => {
      if (closed) return
      closed = true
      stopped = true
      lifetime.abort()
      clearT(timer)
      release?.()
      channel?.close()
      channel = undefined
      await ready
      await lastWrite
    }),
  }
}
