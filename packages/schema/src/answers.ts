// Zod schemas of the answer log: what the bot's backend says it answered, keyed by request id.
import { z } from 'zod'
import { timestampSchema, utf8Length } from './events.ts'
import { MAX_ID_LENGTH, MAX_PROMPT_BYTES, MAX_RESPONSE_BYTES } from './limits.ts'

/** Most answers one `POST /v1/answers` may carry. */
export const MAX_ANSWERS_PER_BATCH = 100
/** Largest `POST /v1/answers` and `POST /v1/traces` body, in bytes (1 MiB): a conversation is long. */
export const MAX_ANSWER_BATCH_BYTES = 1024 * 1024
/** Most messages in one answer's conversation. */
export const MAX_ANSWER_MESSAGES = 200
/** Largest content of one conversation message, in UTF-8 bytes (64 KiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024
/** Longest answer latency accepted, in ms (one day: anything longer is a unit mistake). */
export const MAX_LATENCY_MS = 86_400_000

/** Roles of the OpenAI chat form. */
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const

const text = (maxBytes: number) =>
  z
    .string()
    .min(1)
    .refine((s) => utf8Length(s, maxBytes) <= maxBytes, {
      message: `must be at most ${maxBytes} bytes of UTF-8`,
    })

/**
 * One message of a conversation in OpenAI chat form.
 *
 * @example chatMessageSchema.parse({ role: 'user', content: 'How do I reset my PIN?' })
 */
export const chatMessageSchema = z.object({
  role: z.enum(CHAT_ROLES),
  content: z.string().refine((s) => utf8Length(s, MAX_MESSAGE_BYTES) <= MAX_MESSAGE_BYTES, {
    message: `must be at most ${MAX_MESSAGE_BYTES} bytes of UTF-8`,
  }),
})
/** A chat message: `{role, content}`. */
export type ChatMessage = z.infer<typeof chatMessageSchema>

/**
 * One answer the bot gave. `messages` is what the model was sent (system prompt, earlier turns,
 * the last user turn), without the answer itself; `prompt` is the last user turn.
 *
 * @example loggedAnswerSchema.parse({ requestId: 'req_42', prompt: 'Fees?', response: 'None.' })
 */
export const loggedAnswerSchema = z.object({
  requestId: z.string().min(1).max(MAX_ID_LENGTH),
  prompt: text(MAX_PROMPT_BYTES),
  response: text(MAX_RESPONSE_BYTES),
  messages: z.array(chatMessageSchema).min(1).max(MAX_ANSWER_MESSAGES).optional(),
  modelVersion: z.string().min(1).max(MAX_ID_LENGTH).optional(),
  productVersion: z.string().min(1).max(MAX_ID_LENGTH).optional(),
  latencyMs: z.number().min(0).max(MAX_LATENCY_MS).optional(),
  createdAt: timestampSchema.optional(),
})
/** An answer as the backend logs it. */
export type LoggedAnswer = z.infer<typeof loggedAnswerSchema>

/**
 * The body of `POST /v1/answers`: 1–100 answers, each valid, or the whole request is refused.
 *
 * @example answerBatchSchema.safeParse(JSON.parse(body))
 */
export const answerBatchSchema = z.object({
  answers: z.array(loggedAnswerSchema).min(1).max(MAX_ANSWERS_PER_BATCH),
})
/** A batch of answers. */
export type AnswerBatch = z.infer<typeof answerBatchSchema>

/** An answer refused for good: another answer is already logged under its request id. */
export interface RejectedAnswer {
  index: number
  requestId: string
  error: 'conflict'
}

/** The `200` reply to `POST /v1/answers`. */
export interface AnswerLogResult {
  accepted: number
  duplicates: number
  rejected: RejectedAnswer[]
}
