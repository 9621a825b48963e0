// Conversion of a kept event into one weighted training row (snake_case: it feeds Python).
import { createHash } from 'node:crypto'
import {
  type ChatMessage,
  type FeedbackEvent,
  isTrainingSignal,
  SIGNAL_WEIGHTS,
  type TrainingSignal,
} from '@tightloop/schema'

/**
 * One training row, the native export format. `preferred` is set only for corrections (a
 * preference pair); every other signal gives a rejected-only row (`preferred: null`).
 */
export interface TrainingRow {
  prompt: string
  preferred: string | null
  rejected: string
  /**
   * Trust in the row: `SIGNAL_WEIGHTS[source]`, times the user's `reliability` when reviews
   * gave one; 1 for a correction a reviewer approved.
   */
  weight: number
  /** The signal, or `reviewed` for a correction a person approved or edited. */
  source: TrainingSignal | 'reviewed'
  /** The user's reliability from reviews (review-rules.ts), when the export applied one. */
  reliability?: number
  /**
   * sha256 (hex) of the judged request id, as the article defines it, so a row joins back to
   * its request by hashing the request id; every row about one answer shares it.
   */
  event_hash: string
  /** Row identity (see {@link trainingRowHash}); equal ids are duplicates. */
  row_id: string
  /** The conversation the model was sent, from the answer log (not in the native record). */
  messages?: ChatMessage[]
}

/** The texts of a logged answer: what the bot's backend says it was asked and answered. */
export interface AnswerTexts {
  prompt: string
  response: string
  messages?: ChatMessage[]
}

/**
 * An answer's text with whitespace runs collapsed to one space and the ends trimmed: how a
 * browser-sent response is compared with the logged one.
 *
 * @example normalizeAnswer('  Freeze it\n   in the app. ') // 'Freeze it in the app.'
 */
export function normalizeAnswer(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * The request whose answer an event judges. For `rephrase` that is the earlier answer
 * (`rephraseOf`) when given: the user asking again says the previous answer failed.
 *
 * @example judgedRequestId({ signal: 'rephrase', requestId: 'r2', rephraseOf: 'r1' }) // 'r1'
 */
export function judgedRequestId(
  event: Pick<FeedbackEvent, 'requestId' | 'signal'> & { rephraseOf?: string },
): string {
  return event.signal === 'rephrase' && event.rephraseOf ? event.rephraseOf : event.requestId
}

/**
 * Converts an event into its training row (with the logged answer's texts when given), or `null` when it cannot make one (`thumbs_up`,
 * `response_shown`, CSAT 3–5, no prompt or no response). It does not judge trust: run the
 * candidacy filter first.
 *
 * - `explicit_correction` → (prompt, preferred = correctionText, rejected = response), 0.9
 * - `agent_escalation`, `csat` 1–2, `thumbs_down`, `session_abandon` → rejected-only rows
 * - `rephrase` → rejected-only, weight 0.3: the schema counts it as a training signal, but it
 *   says "the user was confused" more than "the answer was wrong"; projects that disagree
 *   turn it off with the candidacy `signals` option. The row's texts are the event's own
 *   `prompt` and `response`, which the client must fill with the answer that was rephrased.
 *
 * @example toTrainingRow({ signal: 'thumbs_down', prompt: 'p', response: 'r', ... })
 * // { prompt: 'p', preferred: null, rejected: 'r', weight: 0.5, source: 'thumbs_down', event_hash: '…', row_id: '…' }
 */
export function toTrainingRow(
  event: FeedbackEvent,
  answer?: AnswerTexts | null,
): TrainingRow | null {
  const { signal } = event
  // A logged answer is the truth about what was asked and said; the browser's copy is not.
  const prompt = answer ? answer.prompt : event.prompt
  const response = answer ? answer.response : event.response
  if (!isTrainingSignal(signal) || !prompt || !response) return null
  if (event.signal === 'csat' && event.csat > 2) return null
  const preferred = event.signal === 'explicit_correction' ? event.correctionText : null
  const requestId = judgedRequestId(event)
  return {
    prompt,
    preferred,
    rejected: response,
    weight: SIGNAL_WEIGHTS[signal],
    source: signal,
    event_hash: requestHash(requestId),
    row_id: trainingRowHash(requestId, signal, prompt, preferred, response),
    ...(answer?.messages && { messages: answer.messages }),
  }
}

/**
 * The article's `event_hash`: sha256 of the request id, hex.
 *
 * @example requestHash('req_42') // 64 hex characters, the same for every row about req_42
 */
export function requestHash(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex')
}

/**
 * Identity of a row: sha256 (hex) over the judged request id, the signal and the three texts,
 * each length-prefixed so that no two different field lists hash the same input.
 *
 * Two rows are "the same" when the same answer gets the same signal with the same content:
 * a double-clicked thumbs-down, a retrying client that resubmits a correction under a new
 * event id, CSAT 1 then 2 on one answer. They collapse to one. Different requests stay
 * distinct even with identical texts (two users each rejecting the same FAQ answer are two
 * pieces of evidence), and so do different signals on one answer (a thumbs-down and an
 * escalation agree independently). The event id is left out on purpose: it differs on every
 * resubmission. Because the signal is in the hash, duplicates always share one weight, which
 * lets a streaming export keep the first it sees.
 *
 * @example trainingRowHash('req-1', 'thumbs_down', 'p', null, 'r') // 64 hex characters
 */
export function trainingRowHash(
  requestId: string,
  signal: TrainingSignal,
  prompt: string,
  preferred: string | null,
  rejected: string,
): string {
  const preferredPart = preferred === null ? '-' : `${preferred.length}:${preferred}`
  const input = `v1|${requestId.length}:${requestId}|${signal}|${prompt.length}:${prompt}|${preferredPart}|${rejected.length}:${rejected}`
  return createHash('sha256').update(input).digest('hex')
}

/**
 * Collapses rows with equal `row_id`, keeping the strongest weight and first-seen order.
 * For arrays already in memory; the streaming builder dedups on a bounded window instead.
 *
 * @example collapseDuplicates([row, sameRowAgain]).length // 1
 */
export function collapseDuplicates(rows: Iterable<TrainingRow>): TrainingRow[] {
  const byHash = new Map<string, TrainingRow>()
  for (const row of rows) {
    const seen = byHash.get(row.row_id)
    if (!seen || row.weight > seen.weight) byHash.set(row.row_id, row)
  }
  return [...byHash.values()]
}
