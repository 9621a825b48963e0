// POST /v1/answers: the bot's backend logs what it answered, so exports train on its text, not the browser's.
import type { IncomingMessage } from 'node:http'
import {
  type AnswerLogResult,
  answerBatchSchema,
  type LoggedAnswer,
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
  return c.json(await storeAnswers(ctx, project.id, parsed.data.answers), 200)
}

/**
 * Logs answers already validated with `loggedAnswerSchema`, the one store path of the answer
 * log (`POST /v1/answers` and `POST /v1/traces`): at most `MAX_ANSWERS_PER_BATCH` a call.
 *
 * @example const { accepted, rejected } = await storeAnswers(ctx, project.id, answers)
 */
export async function storeAnswers(
  ctx: CollectorContext,
  projectId: string,
  answers: readonly LoggedAnswer[],
): Promise<AnswerLogResult> {
  const stored = await ctx.store.insertAnswers(projectId, answers, ctx.now())
  return {
    accepted: stored.inserted,
    duplicates: stored.duplicates,
    rejected: stored.conflicts.map((index) => ({
      index,
      requestId: answers[index]!.requestId,
      error: 'conflict',
    })),
  }
}
