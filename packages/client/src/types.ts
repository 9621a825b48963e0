// The public shapes of @tightloop/client: options, status, the client itself.
import type { ReadonlySignal } from '@preact/signals-core'
import type { QueueStorage } from './storage.ts'

/** The answer an event is about. */
export interface AnswerContext {
  /** The AI response the event is about. */
  requestId: string
  /** The user's prompt (clipped to 16 KiB of UTF-8). */
  prompt?: string
  /** The bot's answer (clipped to 32 KiB of UTF-8). */
  response?: string
  /** Up to 20 string, number or boolean values stored with the event. */
  metadata?: Record<string, string | number | boolean>
}

/** What the client is doing, for a widget to show. */
export interface ClientStatus {
  /** Where queued events live; `memory` after any storage failure (they die with the page). */
  storage: 'indexeddb' | 'memory'
  /** Events waiting in this tab's view of the queue (the sending tab sees the shared queue). */
  queued: number
  /** Events this page gave up on: queue full, refused by the collector, unsendable. */
  dropped: number
  /** `navigator.onLine`, kept current. */
  online: boolean
  /**
   * Why sending stopped: the collector's error code (`unauthorized`, `forbidden`,
   * `origin_not_allowed`…) or `http_<status>`. Events are kept. Undefined while sending works.
   */
  error: string | undefined
  /**
   * The collector's own words on that error when it gave them: for `origin_not_allowed`, the
   * refused origin and how to allow it. For people and console lines, not for matching.
   */
  message?: string
}

/** Options of `createClient`. Past `userId` everything has a default, side effects included. */
export interface ClientOptions {
  /** Collector base URL, e.g. `https://feedback.example.com`; events go to `/v1/events`. */
  endpoint: string
  /** The project's public key (`pk_…`); also names the IndexedDB queue (`tightloop-<key>`). */
  key: string
  productVersion?: string
  modelVersion?: string
  /** Opaque user id; defaults to an anonymous id kept in storage. */
  userId?: string
  /** Queue storage: IndexedDB by default; memory when IndexedDB is missing or fails. */
  storage?: QueueStorage
  /** Queue bounds, default 1,000 events and 5 MB: past either the oldest go, counted. */
  maxQueueEvents?: number
  maxQueueBytes?: number
  /** Network; called as a plain function, so a bound or wrapped `fetch` works. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>
  /** Defaults to `navigator.sendBeacon`; `() => false` never uses beacons. */
  sendBeacon?: (url: string, body: string) => boolean
  /** Clock in ms since the epoch. */
  now?: () => number
  /** Uniform in [0, 1): ids and jitter. */
  random?: () => number
  setTimeout?: (callback: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
  /** Web Locks elect the one tab that sends; `null` (or none) lets every tab send. */
  locks?: Pick<LockManager, 'request'> | null
}

/** The feedback client. Every method resolves once the event is durably queued and never throws. */
export interface FeedbackClient {
  thumbsUp(answer: AnswerContext): Promise<void>
  /**
   * `eventId` (1–64 of `[A-Za-z0-9_-]`, default one made here) lets the caller name the vote;
   * `amends` names an earlier thumbs_down of this answer whose reasons (`comment`, `metadata`)
   * this one gives: the collector keeps one vote, carrying the latest reasons.
   */
  thumbsDown(
    answer: AnswerContext & { comment?: string; eventId?: string; amends?: string },
  ): Promise<void>
  /** Customer satisfaction, 1–5; 4 and 5 resolve the answer. */
  csat(answer: AnswerContext & { score: number }): Promise<void>
  /** The user's own fix of the answer. */
  correct(answer: AnswerContext & { correctionText: string }): Promise<void>
  /** Hand-off to a human; `reason` is one of the project's escalation reasons. */
  escalate(answer: AnswerContext & { reason: string }): Promise<void>
  /** The answer was shown (`response_shown`, with the prompt it answers). */
  shown(answer: AnswerContext): Promise<void>
  /**
   * The user sent a new prompt: queues a `prompt_asked` fact (`requestId` the answer's id when
   * known, else one made here); the next `shown()` without a prompt takes this one. The
   * collector judges from these whether it asked an earlier question again (rephrase).
   */
  prompted(text: string, requestId?: string): Promise<void>
  /** The answer solved the user's problem: queues `answer_resolved` (never abandoned). */
  resolve(requestId: string): Promise<void>
  /** Sends what is queued now (unless backing off); resolves when that attempt ends. */
  flush(): Promise<void>
  /** Stops timers, listeners and the tab election; resolves once queued writes are stored. */
  close(): Promise<void>
  readonly status: ReadonlySignal<ClientStatus>
  readonly sessionId: string
}
