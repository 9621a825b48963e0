// POST /v1/answers: the bot's backend logs what it answered, so exports train on its text, not the browser's.
import type { IncomingMessage } from 'node:http'
import {
  type AnswerLogResult,
  answerBatchSchema,
  MAX_ANSWER_BATCH_BYTES,
  MAX_ANSWERS_PER_BATCH,
} from '@tightloop/schema'
import type { Context } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { readBodyText } from '../body.ts'
import { CollectorError } from '../errors.ts'
import type { CollectorContext } from './context.ts'
import { describe } from './ingest.ts'

/**
 * Handles one `POST /v1/answers` (secret key, checked before): the whole body is validated
 * before anything is stored, so bad input changes nothing; a request id already logged with
 * other texts is rejected by index with `conflict`.
 *
 * @example app.post('/v1/answers', secret, (c) => logAnswers(c, ctx))
 */
export async function logAnswers(c: Context<CollectorEnv>, ctx: CollectorContext) {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new CollectorError(415, 'unsupported_media_type', 'Send the answers as application/json')
  }
  const text = await readBodyText(
    c.req.raw,
    MAX_ANSWER_BATCH_BYTES,
    (c.env as { incoming?: IncomingMessage } | undefined)?.incoming,
  )
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CollectorError(400, 'invalid_json', 'The body is not valid JSON')
  }
  const answers = (json as { answers?: unknown } | null)?.answers
  if (Array.isArray(answers) && answers.length > MAX_ANSWERS_PER_BATCH) {
    throw new CollectorError(
      400,
      'too_many_events',
      `A batch holds at most ${MAX_ANSWERS_PER_BATCH} answers; this one has ${answers.length}`,
    )
  }
  const parsed = answerBatchSchema.safeParse(json)
  if (!parsed.success) throw new CollectorError(400, 'invalid_body', describe(parsed.error))
  const { project } = c.get('caller')
  const logged = parsed.data.answers
  const stored = await ctx.store.insertAnswers(project.id, logged, ctx.now())
  const result: AnswerLogResult = {
    accepted: stored.inserted,
    duplicates: stored.duplicates,
    rejected: stored.conflicts.map((index) => ({
      index,
      requestId: logged[index]!.requestId,
      error: 'conflict',
    })),
  }
  return c.json(result, 200)
}
