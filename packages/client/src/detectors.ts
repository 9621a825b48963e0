// The implicit-signal detectors, opt-in as Sentry's integrations are: `createClient` calls
// their hooks and never names them, so a page that does not import them does not ship them.
//
//   import { abandonDetector, rephraseDetector } from '@tightloop/client/detectors'
//   createClient({ endpoint, key, detectors: [rephraseDetector(), abandonDetector()] })

import { promptSimilarity, REPHRASE_THRESHOLD } from './rephrase.ts'
import type { Detector, DetectorEvent } from './types.ts'

const REPHRASE_WINDOW_MS = 300_000 // a rephrase follows its answer within 5 minutes
const HISTORY_LENGTH = 20 // answers a new prompt is compared with
const ABANDON_IDLE_MS = 600_000 // hidden 10 minutes: the user has gone, the session ends
const ignore = () => {}

/** Options of `rephraseDetector`. */
export interface RephraseOptions {
  /** `promptSimilarity` at or above which a prompt is a rephrase (0.55); above 1 turns it off. */
  threshold?: number
  /** How long after an answer a prompt may rephrase it (5 minutes). */
  windowMs?: number
}

/**
 * Rephrase detection: `prompted(text)` compares the new prompt with the prompts of the last
 * 20 answers shown in this session within `windowMs`; at or above `threshold` it queues a
 * `rephrase` about the most similar one (`rephraseOf` its `requestId`, `prompt` and
 * `response` its own, `similarity` the score). Adds 492 B gzip to the core (scripts/size.mjs).
 *
 * @example createClient({ endpoint, key, detectors: [rephraseDetector({ threshold: 0.6 })] })
 */
export const rephraseDetector =
  (settings: RephraseOptions = {}): Detector =>
  (host) => {
    let history: DetectorEvent[] = []
    return {
      event(event) {
        if (event.signal === 'response_shown')
          history = [...history.slice(1 - HISTORY_LENGTH), event]
      },
      prompted(text, requestId) {
        const window = settings.windowMs ?? REPHRASE_WINDOW_MS
        let best: DetectorEvent | undefined
        let score = settings.threshold ?? REPHRASE_THRESHOLD
        for (const answer of history) {
          // Answers of an earlier session, or too old, are not asked about again.
          if (
            !answer.prompt ||
            answer.sessionId !== host.sessionId ||
            host.now() - Date.parse(answer.occurredAt) > window
          )
            continue
          const similarity = promptSimilarity(text, answer.prompt)
          if (similarity >= score) {
            best = answer
            score = similarity
          }
        }
        if (best) {
          return host.emit(
            'rephrase',
            { ...best, requestId: requestId ?? best.requestId },
            { rephraseOf: best.requestId, similarity: score },
          )
        }
      },
    }
  }

/** Options of `abandonDetector`. */
export interface AbandonOptions {
  /** Hidden this long, the page's session ends (10 minutes). */
  idleMs?: number
}

/**
 * Abandonment detection and session ends: the session ends when the page is hidden for
 * `idleMs` (by a timer, or on return for a page frozen meanwhile) or closed (`pagehide`). If
 * the last answer shown has no resolving signal (thumbs up, CSAT ≥ 4, `resolve()`), one
 * `session_abandon` about it is queued, with `idleMs` since the user's last action; then a new
 * `sessionId` begins. At `pagehide` the abandonment leaves in the beacon with the queue.
 * Without it, a session lasts as long as the client. Adds 231 B gzip to the core.
 *
 * @example createClient({ endpoint, key, detectors: [abandonDetector({ idleMs: 300_000 })] })
 */
export const abandonDetector =
  (settings: AbandonOptions = {}): Detector =>
  (host) => {
    const idleMs = settings.idleMs ?? ABANDON_IDLE_MS
    let last: DetectorEvent | undefined
    let resolved = new Set<string>()
    let lastActivity = host.now()
    let hiddenAt = 0
    let timer: unknown
    // The session ends. If the last answer shown got no resolving signal it was abandoned:
    // reported once, then a new session begins.
    const end = () => {
      if (last && !resolved.has(last.requestId)) {
        // Nothing awaits it: a failure (metadata JSON cannot hold) must not reach the page.
        host.emit('session_abandon', last, { idleMs: host.now() - lastActivity })?.catch(ignore)
      }
      last = undefined
      resolved = new Set()
      host.endSession()
    }
    // Hidden past the idle timeout: by the timer, or on return if a frozen page missed it.
    const endIfIdle = () => {
      if (hiddenAt && host.now() - hiddenAt >= idleMs) {
        hiddenAt = 0
        end()
      }
    }
    return {
      event(event) {
        lastActivity = host.now()
        if (event.signal === 'response_shown') last = event
        if (event.signal === 'thumbs_up' || (event.csat ?? 0) >= 4) resolved.add(event.requestId)
      },
      prompted() {
        lastActivity = host.now()
      },
      resolve(requestId) {
        resolved.add(requestId)
      },
      hidden(hidden) {
        if (hidden) {
          hiddenAt = host.now()
          timer = host.setTimeout(endIfIdle, idleMs)
        } else {
          host.clearTimeout(timer)
          endIfIdle()
          hiddenAt = 0
        }
      },
      pagehide: end,
      close() {
        host.clearTimeout(timer)
      },
    }
  }
