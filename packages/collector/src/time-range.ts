// Parses `since`/`until` query parameters (ISO-8601 or epoch milliseconds), within bounds.
import type { Context } from 'hono'
import { CollectorError } from './errors.ts'
import type { TimeRange } from './store/types.ts'

/** Earliest instant a time parameter may name: 1970-01-01, the epoch (nothing is older). */
export const MIN_INSTANT_MS = 0
/**
 * Latest instant a time parameter may name: the end of year 9999, the last time ISO-8601's
 * four-digit years (and the `YYYY-MM-DD` day keys of the statistics) can write.
 */
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * Reads one instant: ISO-8601 or epoch ms between 1970 and 9999, else 400 `invalid_query`
 * (a number past that range made the routes that fill days or write dates fail with a 500).
 *
 * @example parseInstant('since', '2026-12-01T00:00:00Z') // 1796083200000
 */
export function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  // Date.parse alone takes almost anything (`-5` is a day in 2001): only ISO-8601 is read.
  const ms = /^\d+$/.test(value)
    ? Number(value)
    : ISO_8601.test(value)
      ? Date.parse(value)
      : Number.NaN
  if (!Number.isFinite(ms)) {
    throw new CollectorError(400, 'invalid_query', `${name} must be an ISO-8601 time or epoch ms`)
  }
  if (ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    throw new CollectorError(
      400,
      'invalid_query',
      `${name} must lie between 1970-01-01 and 9999-12-31 (ISO-8601 or epoch ms)`,
    )
  }
  return ms
}

/** The `since`/`until` window of a request; `since` inclusive, `until` exclusive. */
export function readTimeRange(c: Context): TimeRange {
  const since = parseInstant('since', c.req.query('since'))
  const until = parseInstant('until', c.req.query('until'))
  if (since !== undefined && until !== undefined && since > until) {
    throw new CollectorError(400, 'invalid_query', 'since must not be after until')
  }
  return { ...(since !== undefined && { since }), ...(until !== undefined && { until }) }
}
