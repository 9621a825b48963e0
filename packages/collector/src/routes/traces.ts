// POST /v1/traces: an OTLP/HTTP trace exporter fills the answer log from the backend's GenAI spans.
import type { IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import {
  type LoggedAnswer,
  loggedAnswerSchema,
  MAX_ANSWER_BATCH_BYTES,
  MAX_ANSWERS_PER_BATCH,
} from '@tightloop/schema'
import type { Context } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { decodeUtf8, readBodyBytes } from '../body.ts'
import { CollectorError } from '../errors.ts'
import { storeAnswers } from './answers.ts'
import type { CollectorContext } from './context.ts'
import { describe } from './ingest.ts'
import { REQUEST_ID_ATTRIBUTE, type SpanSkip, spanAnswers } from './otlp-genai.ts'
import { decodeTraceRequest, encodeTraceResponse } from './otlp-protobuf.ts'
import { readOtlpSpans } from './otlp-spans.ts'

/** OTLP's `ExportTraceServiceResponse` in its JSON form. */
export interface ExportTraceServiceResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string }
}

const gunzipAsync = promisify(gunzip)

type Rejection = Exclude<SpanSkip, 'not_genai' | 'tool_call'> | 'invalid' | 'conflict'

const WHY: Record<Rejection, string> = {
  no_request_id: `without a request id (set ${REQUEST_ID_ATTRIBUTE} or gen_ai.response.id)`,
  no_content:
    "without message content (turn on the instrumentation's content capture, e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)",
  no_prompt: 'without a user message',
  no_response: 'without a text answer',
  invalid: 'that are not valid answers',
  conflict: 'whose request id already has another answer logged (conflict)',
}

/**
 * Handles one `POST /v1/traces` (secret key, checked before): OTLP/HTTP, JSON or protobuf,
 * plain or gzip, answered in the request's encoding. Each GenAI span with prompt and answer is
 * logged like a `POST /v1/answers` entry; spans without GenAI attributes, and agent steps that
 * only called tools, are skipped; GenAI
 * spans that cannot be logged are counted in `partialSuccess`. A body that is not an OTLP
 * trace request is refused with the usual JSON error, and nothing is stored.
 *
 * @example app.post('/v1/traces', secret, (c) => logTraces(c, ctx))
 */
export async function logTraces(c: Context<CollectorEnv>, ctx: CollectorContext) {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  const binary = type === 'application/x-protobuf' || type === 'application/protobuf'
  if (!binary && type !== 'application/json') {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      'Send OTLP/HTTP traces as application/json or application/x-protobuf',
    )
  }
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${encoding} is not supported: use gzip or none`,
    )
  }
  let bytes = await readBodyBytes(
    c.req.raw,
    MAX_ANSWER_BATCH_BYTES,
    (c.env as { incoming?: IncomingMessage } | undefined)?.incoming,
  )
  if (encoding === 'gzip') bytes = await gunzipBounded(bytes, MAX_ANSWER_BATCH_BYTES)
  let request: unknown
  if (binary) request = decodeTraceRequest(bytes)
  else {
    try {
      request = JSON.parse(decodeUtf8(bytes))
    } catch (err) {
      if (err instanceof CollectorError) throw err
      throw new CollectorError(400, 'invalid_json', 'The body is not valid JSON')
    }
  }

  const rejected = new Map<Rejection, number>()
  const reject = (why: Rejection, count = 1) => {
    if (count > 0) rejected.set(why, (rejected.get(why) ?? 0) + count)
  }
  let skipped = 0
  let firstInvalid = ''
  const answers: LoggedAnswer[] = []
  for (const outcome of spanAnswers(readOtlpSpans(request))) {
    if ('skip' in outcome) {
      if (outcome.skip === 'not_genai' || outcome.skip === 'tool_call') skipped++
      else reject(outcome.skip)
      continue
    }
    const parsed = loggedAnswerSchema.safeParse(outcome.answer)
    if (parsed.success) answers.push(parsed.data)
    else {
      reject('invalid')
      firstInvalid ||= describe(parsed.error)
    }
  }
  const { project } = c.get('caller')
  for (let i = 0; i < answers.length; i += MAX_ANSWERS_PER_BATCH) {
    const chunk = answers.slice(i, i + MAX_ANSWERS_PER_BATCH)
    reject('conflict', (await storeAnswers(ctx, project.id, chunk)).rejected.length)
  }

  const body: ExportTraceServiceResponse = {}
  const rejectedSpans = [...rejected.values()].reduce((sum, n) => sum + n, 0)
  if (rejectedSpans > 0) {
    const reasons = [...rejected].map(
      ([why, n]) =>
        `${n} ${WHY[why]}${why === 'invalid' && firstInvalid ? ` (first: ${firstInvalid})` : ''}`,
    )
    const skippedNote =
      skipped > 0
        ? `; ${skipped} span${skipped === 1 ? '' : 's'} without a GenAI answer skipped`
        : ''
    body.partialSuccess = {
      rejectedSpans,
      errorMessage: `GenAI spans not logged as answers: ${reasons.join(', ')}${skippedNote}`,
    }
  }
  if (!binary) return c.json(body, 200)
  return c.body(encodeTraceResponse(body), 200, { 'content-type': 'application/x-protobuf' })
}

/** Inflates a gzip body, refusing one that inflates past `limit` (a zip bomb) with 413. */
async function gunzipBounded(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: limit })
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new CollectorError(
        413,
        'payload_too_large',
        `The body is over ${limit} bytes once decompressed`,
      )
    }
    throw new CollectorError(400, 'invalid_body', 'The body is not valid gzip', { cause })
  }
}
