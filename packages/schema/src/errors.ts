// The one error shape every collector route answers with, and its closed set of codes.
import { z } from 'zod'

/** Every error code the collector can answer with. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_encoding',
  'invalid_body',
  'invalid_query',
  'too_many_events',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'origin_not_allowed',
  'not_found',
  'method_not_allowed',
  'conflict',
  'rate_limited',
  'quota_exceeded',
  'request_timeout',
  'internal',
] as const

/** A collector error code. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** `{"error": {"code": "…", "message": "…"}}`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
  }),
})

/** The JSON body of every error answer. */
export type ErrorBody = z.infer<typeof errorBodySchema>
