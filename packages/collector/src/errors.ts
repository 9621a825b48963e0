// The collector's one error type and the one place that turns errors into JSON bodies.
import type { ErrorBody, ErrorCode } from '@tightloop/schema'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * An error with a code from the closed `ErrorCode` union, answered as JSON.
 *
 * @example throw new CollectorError(401, 'unauthorized', 'Unknown project key')
 */
export class CollectorError extends HTTPException {
  readonly code: ErrorCode
  readonly headers: Record<string, string>

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(status, { message, cause: options.cause })
    this.code = code
    this.headers = options.headers ?? {}
  }
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_body',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/** The JSON body of an error answer. */
export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } }
}

/**
 * Hono `onError` handler: every failure leaves as `{"error": {"code", "message"}}`.
 * Unexpected errors are logged and answered 500 without internals.
 */
export function handleError(err: Error, c: Context, log: (msg: string, err: unknown) => void) {
  if (err instanceof CollectorError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value)
    return c.json(errorBody(err.code, err.message), err.status)
  }
  if (err instanceof HTTPException) {
    const code = CODE_BY_STATUS[err.status] ?? (err.status < 500 ? 'invalid_body' : 'internal')
    return c.json(errorBody(code, err.message || code), err.status)
  }
  log('tightloop: unexpected error', err)
  return c.json(errorBody('internal', 'Internal error'), 500)
}
