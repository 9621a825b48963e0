// GET /v1/eval-slice: the frozen 5 % sample of one ISO week's shown answers, as NDJSON.
//
// Membership is the pipeline's hash of (requestId, week), so the rows never change once the
// week's late arrivals are in: a slice is frozen SLICE_LATE_ARRIVAL_MS after its week ends.

import {
  DAY_MS,
  EVAL_SLICE_RATE,
  evalSliceWeek,
  isInEvalSlice,
  isoWeekKey,
  isoWeekStartMs,
} from '@tightloop/pipeline'
import type { StoredEvent } from '@tightloop/schema'
import { Hono, type MiddlewareHandler } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { CollectorError } from '../errors.ts'
import { NDJSON_HEADERS, ndjsonStream } from '../ndjson.ts'
import { allowQuery } from '../query-params.ts'
import type { Store } from '../store/types.ts'
import type { CollectorContext } from './context.ts'

/**
 * Events of a week received later than this after it ends are not in its slice: a browser
 * queue flushes within hours, and a slice must stop changing at some point to be frozen.
 */
export const SLICE_LATE_ARRIVAL_MS = 2 * DAY_MS
const WEEK_MS = 7 * DAY_MS
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/

/**
 * The first instant of an ISO week `YYYY-Www`, or `null` when there is no such week
 * (W00, W54, or W53 in a year that has 52).
 *
 * @example isoWeekStart('2026-W01') // Date.UTC(2025, 11, 29)
 */
export function isoWeekStart(week: string): number | null {
  const match = WEEK_PATTERN.exec(week)
  if (!match) return null
  const n = Number(match[2])
  // Week 1 is the week holding 4 January.
  const start = isoWeekStartMs(Date.UTC(Number(match[1]), 0, 4)) + (n - 1) * WEEK_MS
  return n >= 1 && isoWeekKey(start) === week ? start : null
}

/**
 * The eval slice of `week`: the `response_shown` events whose trusted time falls in the week
 * and whose hash puts them in the 5 %. Streams; reads only the week and its late arrivals.
 *
 * @example for await (const event of evalSlice(store, projectId, '2026-W47')) …
 */
export async function* evalSlice(
  store: Store,
  projectId: string,
  week: string,
): AsyncGenerator<StoredEvent> {
  const start = isoWeekStart(week)
  if (start === null) throw new Error(`not an ISO week: ${week}`)
  const range = { since: start, until: start + WEEK_MS + SLICE_LATE_ARRIVAL_MS }
  for await (const event of store.streamEvents(projectId, range)) {
    if (event.signal === 'response_shown' && evalSliceWeek(event) === week && isInEvalSlice(event))
      yield event
  }
}

/**
 * `GET /v1/eval-slice?week=YYYY-Www` (default: the last complete week), behind the secret key:
 * the slice's stored events as NDJSON. `X-Tightloop-Slice-Frozen: false` says late arrivals
 * may still join; `true` that the rows are final.
 *
 * @example app.route('/', evalSliceRoutes(ctx, secret))
 */
export function evalSliceRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>()
  app.get('/v1/eval-slice', secret, allowQuery('week'), (c) => {
    const now = ctx.now()
    const week = c.req.query('week') ?? isoWeekKey(now - WEEK_MS)
    const start = isoWeekStart(week)
    if (start === null) {
      throw new CollectorError(
        400,
        'invalid_query',
        `week must be an ISO week like ${isoWeekKey(now)}, not "${week}"`,
      )
    }
    const frozen = now >= start + WEEK_MS + SLICE_LATE_ARRIVAL_MS
    const rows = evalSlice(ctx.store, c.get('caller').project.id, week)
    return new Response(ndjsonStream(rows), {
      headers: {
        ...NDJSON_HEADERS,
        'X-Tightloop-Slice-Week': week,
        'X-Tightloop-Slice-Rate': String(EVAL_SLICE_RATE),
        'X-Tightloop-Slice-Frozen': String(frozen),
      },
    })
  })
  return app
}
