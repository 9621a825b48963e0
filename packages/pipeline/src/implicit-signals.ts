// Implicit signals derived from session timelines: abandonment and rephrase, recomputed from
// the browser's facts (answers shown, prompts asked, votes) under the project's current rules.
import type { StoredEvent } from '@tightloop/schema'
import { PipelineInputError } from './errors.ts'
import {
  createPromptCache,
  DEFAULT_REPHRASE_THRESHOLD,
  type PreparedPrompt,
  type PromptIdf,
  preparedSimilarity,
  type RephraseOptions,
} from './rephrase-similarity.ts'
import { eventTimeMs } from './time.ts'

/** A session is over once nothing happened in it for this long (30 minutes), by default. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000
/**
 * Sessions followed at once by default. Each holds at most {@link MAX_ASKED} prompts and their
 * answers (references to events already parsed), about 2 KB at typical prompt and answer sizes:
 * 100,000 sessions ≈ 200 MB in the worst realistic case, far above what one idle window holds.
 */
export const DEFAULT_MAX_OPEN_SESSIONS = 100_000
/** Earlier prompts of a session a new one is compared with (the most recent ones). */
const MAX_ASKED = 10
/**
 * Prompts kept prepared for comparison (the most recently used; each ~3 KB, so ~6 MB): a prompt
 * is compared with each later one of its session, and preparing it is a third of a comparison.
 */
const PREPARED_CACHE = 2048
/** Explicit signals remembered per session, to know whether the last answer got one. */
const MAX_EXPLICIT = 20

/** Signals by which a user judged an answer: their last answer was not abandoned. */
const EXPLICIT = new Set([
  'thumbs_up',
  'thumbs_down',
  'csat',
  'explicit_correction',
  'agent_escalation',
  'answer_resolved',
])

/** Options of {@link createImplicitDeriver}. */
export interface ImplicitOptions {
  /** Derivation time in ms: a session whose last activity is later than `now - idle` is open. */
  now: number
  /** Idle time that ends a session, and how far back a prompt may rephrase (ms). */
  sessionIdleMs?: number
  /** Similarity at or above which a prompt rephrases an earlier one; above 1 turns it off. */
  rephraseThreshold?: number
  /** Word rarity in the project's prompts. */
  idf: PromptIdf
  /** How prompts are compared (word vectors and weights); the tuned defaults otherwise. */
  similarity?: RephraseOptions
  /** Most sessions followed at once; past it the least recently active is dropped, counted. */
  maxOpenSessions?: number
}

/** What a derivation has seen and made. */
export interface ImplicitStats {
  sessions: number
  abandons: number
  rephrases: number
  /** Sessions still open at `now` (active within the idle window): not judged yet. */
  open: number
  /** Most sessions held at once. */
  maxOpen: number
  /** Sessions dropped unjudged because `maxOpenSessions` was reached. */
  evicted: number
}

/** A running derivation over events in `receivedAt` order. */
export interface ImplicitDeriver {
  /** Takes one stored event; returns the implicit events it completes (often none). */
  push(event: StoredEvent): StoredEvent[]
  /** Closes what is idle at `now`; returns the last abandonments. Call once, at the end. */
  end(): StoredEvent[]
  stats(): ImplicitStats
  /**
   * An independent copy of the derivation so far, ending at `now` instead: feed it the events
   * not settled yet and end it, and keep this one for the settled part (the collector's stats).
   */
  fork(now: number): ImplicitDeriver
}

interface Asked {
  requestId: string
  prompt: string
  at: number
  answer?: StoredEvent
  rephrased?: boolean
}

interface Session {
  key: string
  lastActivity: number
  lastReceived: number
  lastAnswer?: StoredEvent
  explicit: string[]
  asked: Asked[]
}

/**
 * True for an event this module derived (its id, `~…`, is outside what clients may send).
 *
 * @example isDerivedEvent({ eventId: '~a:s1:r1' }) // true
 */
export function isDerivedEvent(event: Pick<StoredEvent, 'eventId'>): boolean {
  return event.eventId.startsWith('~')
}

const NONE: StoredEvent[] = []

/**
 * Derives `session_abandon` and `rephrase` events from stored traffic, fed in `receivedAt`
 * order (the export's cursor). A session (one `sessionId`; an idle gap of `sessionIdleMs`
 * starts a new one) is abandoned when its last answer shown got no explicit signal (vote,
 * CSAT, correction, escalation, `answer_resolved`) and nothing followed for `sessionIdleMs`:
 * at most one abandonment per session. A prompt rephrases the most similar earlier prompt of
 * its session asked within `sessionIdleMs`, with no positive signal (thumbs up, CSAT ≥ 4,
 * `answer_resolved`) in between, whose answer was shown; each answer is rephrased at most once.
 *
 * Memory: a session is dropped once the cursor's `receivedAt` is `sessionIdleMs` past its last
 * event, so only sessions active in the last idle window are held, each with at most 10
 * prompts, capped at `maxOpenSessions` (least recently active dropped first, counted).
 *
 * @example
 * const derive = createImplicitDeriver({ now: Date.now(), idf })
 * for (const event of events) rows.push(...derive.push(event))
 * rows.push(...derive.end())
 */
export function createImplicitDeriver(options: ImplicitOptions): ImplicitDeriver {
  const idle = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS
  const threshold = options.rephraseThreshold ?? DEFAULT_REPHRASE_THRESHOLD
  const maxOpen = options.maxOpenSessions ?? DEFAULT_MAX_OPEN_SESSIONS
  if (!(idle > 0) || !(maxOpen > 0) || Number.isNaN(threshold)) {
    throw new PipelineInputError(
      'invalid_option',
      'sessionIdleMs and maxOpenSessions must be positive',
    )
  }
  const { idf, now, similarity: compare = {} } = options
  const stats: ImplicitStats = {
    sessions: 0,
    abandons: 0,
    rephrases: 0,
    open: 0,
    maxOpen: 0,
    evicted: 0,
  }
  // Sessions keep their prompts' text; the prepared forms (several times larger) are cached.
  const prepare = createPromptCache(idf, compare, PREPARED_CACHE)
  return deriverOver({ idle, threshold, maxOpen, idf, compare, now }, new Map(), stats, prepare)
}

interface Rules {
  idle: number
  threshold: number
  maxOpen: number
  idf: PromptIdf
  compare: RephraseOptions
  now: number
}

/** A session and its prompts, copied so that a fork's pushes leave the original as it was. */
const copySession = (session: Session): Session => ({
  ...session,
  explicit: [...session.explicit],
  asked: session.asked.map((asked) => ({ ...asked })),
})

function deriverOver(
  rules: Rules,
  // Insertion order is activity order: an event moves its session to the end.
  open: Map<string, Session>,
  stats: ImplicitStats,
  prepare: (prompt: string) => PreparedPrompt,
): ImplicitDeriver {
  const { idle, threshold, maxOpen, idf, compare, now } = rules

  const close = (session: Session, out: StoredEvent[]) => {
    open.delete(session.key)
    const answer = session.lastAnswer
    if (!answer || session.explicit.includes(answer.requestId)) return
    stats.abandons++
    out.push({
      ...answer,
      eventId: `~a:${answer.eventId}`,
      signal: 'session_abandon',
      idleMs: idle,
    } as StoredEvent)
  }

  const ask = (session: Session, event: StoredEvent, at: number, out: StoredEvent[]) => {
    const prompt = event.prompt ?? ''
    const prepared = prepare(prompt)
    let best: Asked | undefined
    let score = threshold
    for (const earlier of session.asked) {
      if (!earlier.answer || earlier.rephrased || earlier.requestId === event.requestId) continue
      if (at - earlier.at > idle) continue
      const similarity = preparedSimilarity(prepared, prepare(earlier.prompt), idf, compare)
      if (similarity >= score) {
        best = earlier
        score = similarity
      }
    }
    if (best?.answer) {
      best.rephrased = true
      stats.rephrases++
      out.push({
        ...best.answer,
        eventId: `~r:${event.eventId}`,
        signal: 'rephrase',
        requestId: event.requestId,
        rephraseOf: best.requestId,
        similarity: Math.min(1, Math.round(score * 1000) / 1000),
        occurredAt: event.occurredAt,
        receivedAt: event.receivedAt,
        clientOccurredAt: event.clientOccurredAt,
      } as StoredEvent)
    }
    const entry: Asked = { requestId: event.requestId, prompt, at }
    session.asked = [...session.asked.slice(1 - MAX_ASKED), entry]
    return entry
  }

  return {
    push(event) {
      if (isDerivedEvent(event)) return NONE
      const received = Date.parse(event.receivedAt)
      const at = eventTimeMs(event)
      let out = NONE
      // Sessions the cursor has left behind by a whole idle window are over.
      for (const session of open.values()) {
        if (received - session.lastReceived < idle) break
        if (out === NONE) out = []
        close(session, out)
      }
      const key = `${event.userId}\u0000${event.sessionId}`
      let session = open.get(key)
      if (session && at - session.lastActivity >= idle) {
        if (out === NONE) out = []
        close(session, out)
        session = undefined
      }
      if (!session) {
        if (open.size >= maxOpen) {
          const oldest = open.keys().next().value as string
          open.delete(oldest)
          stats.evicted++
        }
        session = { key, lastActivity: at, lastReceived: received, explicit: [], asked: [] }
        stats.sessions++
      } else open.delete(key)
      open.set(key, session)
      stats.maxOpen = Math.max(stats.maxOpen, open.size)
      session.lastReceived = Math.max(session.lastReceived, received)
      // Leaving the page is not the user doing something: it does not keep the session alive.
      if (event.signal === 'page_left') return out
      session.lastActivity = Math.max(session.lastActivity, at)

      const signal = event.signal
      if (EXPLICIT.has(signal)) {
        session.explicit = [...session.explicit.slice(1 - MAX_EXPLICIT), event.requestId]
        const positive =
          signal === 'thumbs_up' ||
          signal === 'answer_resolved' ||
          (signal === 'csat' && (event as { csat?: number }).csat! >= 4)
        if (positive) session.asked = []
        return out
      }
      if (signal === 'prompt_asked' && event.prompt) {
        if (out === NONE) out = []
        ask(session, event, at, out)
      } else if (signal === 'response_shown') {
        session.lastAnswer = event
        // The prompt this answers: asked under its requestId, or the last unanswered one with
        // the same text (a client asks before it knows the answer's id); else asked now.
        let asked = session.asked.findLast(
          (a) => a.requestId === event.requestId || (!a.answer && a.prompt === event.prompt),
        )
        if (!asked && event.prompt) {
          if (out === NONE) out = []
          asked = ask(session, event, at, out)
        }
        if (asked) {
          asked.answer = event
          asked.requestId = event.requestId
        }
      }
      return out
    },

    end() {
      const out: StoredEvent[] = []
      for (const session of [...open.values()]) {
        if (now - session.lastReceived >= idle && now - session.lastActivity >= idle)
          close(session, out)
      }
      stats.open = open.size
      return out
    },

    stats: () => ({ ...stats, open: stats.open || open.size }),

    fork(at) {
      const sessions = new Map([...open].map(([key, session]) => [key, copySession(session)]))
      return deriverOver({ ...rules, now: at }, sessions, { ...stats }, prepare)
    },
  }
}
