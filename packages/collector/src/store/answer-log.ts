// The answer log's types and the rules both store engines share: what makes two answers "the same".
import { createHash } from 'node:crypto'
import type { LoggedAnswer } from '@tightloop/schema'

/** A logged answer as stored: what the backend sent, plus when the collector logged it. */
export interface AnswerRecord extends LoggedAnswer {
  /** Server clock when the answer was logged (ISO-8601). */
  loggedAt: string
}

/** The outcome of logging one batch of answers. */
export interface AnswerInsertResult {
  inserted: number
  /** The same answer again (a retry): nothing changed. */
  duplicates: number
  /** Indexes (in the batch) of answers that differ from the one logged under their request id. */
  conflicts: number[]
}

/** The answer-log part of the store, implemented by every engine. */
export interface AnswerLogStore {
  /**
   * Logs answers once per `(project, requestId)`, in batch order, atomically: a later answer
   * of the same request in the same batch is a duplicate or a conflict like any other.
   */
  insertAnswers(
    projectId: string,
    answers: readonly LoggedAnswer[],
    loggedAt: number,
  ): Promise<AnswerInsertResult>
  /** The logged answers among `requestIds` (at most a few thousand per call), by request id. */
  findAnswers(projectId: string, requestIds: readonly string[]): Promise<Map<string, AnswerRecord>>
  countAnswers(projectId: string): Promise<number>
}

/**
 * What makes two answers the same: the texts that would train (prompt, response, messages).
 * Metadata (latency, versions, times) may differ between a retry and the first call, or between
 * the OpenTelemetry span and a direct call for one request; the first one logged is kept.
 *
 * @example answerFingerprint(a) === answerFingerprint(retryOfA) // true
 */
export function answerFingerprint(answer: LoggedAnswer): string {
  const texts = JSON.stringify([answer.prompt, answer.response, answer.messages ?? null])
  return createHash('sha256').update(texts).digest('hex')
}

/**
 * The answer as stored: `messages` without a last assistant turn that is the answer itself
 * (some callers send the whole conversation), so exports can append the answer or its
 * correction without repeating it.
 *
 * @example storedAnswer({ ..., response: 'r', messages: [user, { role: 'assistant', content: 'r' }] }).messages // [user]
 */
export function storedAnswer(answer: LoggedAnswer): LoggedAnswer {
  const last = answer.messages?.at(-1)
  if (last?.role !== 'assistant' || collapse(last.content) !== collapse(answer.response)) {
    return answer
  }
  const messages = answer.messages!.slice(0, -1)
  const { messages: _, ...rest } = answer
  return messages.length ? { ...rest, messages } : rest
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()
