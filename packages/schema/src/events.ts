// Zod schemas of wire protocol v1: feedback events, the ingest envelope and its reply.
import { z } from 'zod'
import {
  EVENT_ID_PATTERN,
  MAX_COMMENT_BYTES,
  MAX_EVENTS_PER_BATCH,
  MAX_ID_LENGTH,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_KEYS,
  MAX_METADATA_VALUE_LENGTH,
  MAX_PROMPT_BYTES,
  MAX_REASON_LENGTH,
  MAX_RESPONSE_BYTES,
} from './limits.ts'

const encoder = new TextEncoder()

/** UTF-8 length of a string; skips the encoding when the answer cannot exceed `limit`. */
export function utf8Length(text: string, limit = Number.POSITIVE_INFINITY): number {
  // One UTF-16 unit encodes to at most 3 UTF-8 bytes.
  if (text.length * 3 <= limit) return text.length * 3
  return encoder.encode(text).length
}

const boundedText = (maxBytes: number) =>
  z.string().refine((s) => utf8Length(s, maxBytes) <= maxBytes, {
    message: `must be at most ${maxBytes} bytes of UTF-8`,
  })

const opaqueId = z.string().min(1).max(MAX_ID_LENGTH)

/** An event id: 1–64 of `[A-Za-z0-9_-]`, the idempotency key of an event. */
export const eventIdSchema = z.string().regex(EVENT_ID_PATTERN, 'must be 1-64 of [A-Za-z0-9_-]')

const metadataSchema = z
  .record(
    z.string().min(1).max(MAX_METADATA_KEY_LENGTH),
    z.union([z.string().max(MAX_METADATA_VALUE_LENGTH), z.number(), z.boolean()]),
  )
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, {
    message: `at most ${MAX_METADATA_KEYS} keys`,
  })

/** ISO-8601 timestamp with `Z` or an offset. */
export const timestampSchema = z.iso.datetime({ offset: true })

const common = {
  eventId: eventIdSchema,
  requestId: opaqueId,
  sessionId: opaqueId,
  userId: opaqueId,
  occurredAt: timestampSchema,
  prompt: boundedText(MAX_PROMPT_BYTES).optional(),
  response: boundedText(MAX_RESPONSE_BYTES).optional(),
  productVersion: opaqueId.optional(),
  modelVersion: opaqueId.optional(),
  comment: boundedText(MAX_COMMENT_BYTES).optional(),
  metadata: metadataSchema.optional(),
}

export const explicitCorrectionSchema = z.object({
  ...common,
  signal: z.literal('explicit_correction'),
  correctionText: boundedText(MAX_RESPONSE_BYTES).pipe(z.string().min(1)),
})
export const agentEscalationSchema = z.object({
  ...common,
  signal: z.literal('agent_escalation'),
  escalationReason: z.string().min(1).max(MAX_REASON_LENGTH),
})
export const csatSchema = z.object({
  ...common,
  signal: z.literal('csat'),
  csat: z.int().min(1).max(5),
})
/**
 * `amends`: the eventId of an earlier thumbs_down of the same user and answer whose reasons
 * and comment this one gives (the vote is sent at the click, the reasons after): the collector
 * merges it into that event, or stores it under that id when the first never arrived.
 */
export const thumbsDownSchema = z.object({
  ...common,
  signal: z.literal('thumbs_down'),
  amends: eventIdSchema.optional(),
})
export const thumbsUpSchema = z.object({ ...common, signal: z.literal('thumbs_up') })
export const sessionAbandonSchema = z.object({
  ...common,
  signal: z.literal('session_abandon'),
  idleMs: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
})
export const rephraseSchema = z.object({
  ...common,
  signal: z.literal('rephrase'),
  rephraseOf: opaqueId.optional(),
  similarity: z.number().min(0).max(1).optional(),
})
export const responseShownSchema = z.object({ ...common, signal: z.literal('response_shown') })
/** The user sent `prompt`; `requestId` is the answer it asks for (or an id the client made). */
export const promptAskedSchema = z.object({ ...common, signal: z.literal('prompt_asked') })
/** The page was left or hidden for good (`pagehide`); `requestId` is the last answer shown. */
export const pageLeftSchema = z.object({ ...common, signal: z.literal('page_left') })
/** The host said the answer `requestId` solved the user's problem (`client.resolve`). */
export const answerResolvedSchema = z.object({ ...common, signal: z.literal('answer_resolved') })

/**
 * One feedback event, discriminated on `signal`. Unknown fields are dropped, never stored.
 *
 * @example feedbackEventSchema.safeParse({ signal: 'thumbs_down', eventId: 'e1', ... })
 */
export const feedbackEventSchema = z.discriminatedUnion('signal', [
  explicitCorrectionSchema,
  agentEscalationSchema,
  csatSchema,
  thumbsDownSchema,
  sessionAbandonSchema,
  rephraseSchema,
  thumbsUpSchema,
  responseShownSchema,
  promptAskedSchema,
  pageLeftSchema,
  answerResolvedSchema,
])

/** A validated feedback event as the browser sends it. */
export type FeedbackEvent = z.infer<typeof feedbackEventSchema>
/** The event of one signal. */
export type FeedbackEventOf<S extends FeedbackEvent['signal']> = Extract<
  FeedbackEvent,
  { signal: S }
>

/** The `client` block of a batch: who sent it and what it had to give up on. */
export const clientInfoSchema = z.object({
  sdk: z.string().max(64).optional(),
  storage: z.enum(['indexeddb', 'memory']).optional(),
  dropped: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
})
export type ClientInfo = z.infer<typeof clientInfoSchema>

/**
 * The ingest envelope. Events are checked one by one afterwards (partial acceptance), so
 * here they are only an array of at most 100 unknown values.
 */
export const eventBatchSchema = z.object({
  events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH),
  sentAt: timestampSchema.optional(),
  client: clientInfoSchema.optional(),
})
/** A batch as the client builds it. */
export interface EventBatch {
  events: FeedbackEvent[]
  sentAt?: string
  client?: ClientInfo
}

/** One event the collector refused for good: a client drops it and retries nothing else. */
export interface RejectedEvent {
  index: number
  eventId?: string
  error: string
}

/** The `200` reply to `POST /v1/events`. */
export interface IngestResult {
  accepted: number
  duplicates: number
  rejected: RejectedEvent[]
}

/** A raw event as stored and exported: the event plus the server's view of time. */
export type StoredEvent = FeedbackEvent & {
  /** Server clock when the batch arrived. */
  receivedAt: string
  /** The client's own `occurredAt`, before skew correction. */
  clientOccurredAt: string
}
