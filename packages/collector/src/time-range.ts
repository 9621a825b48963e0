// Parses `since`/`until` query parameters (ISO-8601 or epoch milliseconds).
import type { Context } from 'hono'
import { CollectorError } from './errors.ts'
import type { TimeRange } from './store/types.ts'

function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms)) {
    throw new CollectorError(400, 'invalid_query', `${name} must be an ISO-8601 time or epoch ms`)
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
