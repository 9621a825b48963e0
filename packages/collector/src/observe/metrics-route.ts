// GET /metrics: the Prometheus text exposition, for a scraper holding the metrics token (a
// token of its own, so a scraper's credentials can read no feedback).
import { timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { CollectorError } from '../errors.ts'
import type { CollectorMetrics } from './metrics.ts'

/**
 * The handler of `GET /metrics`: 401 JSON without `Authorization: Bearer <token>`.
 *
 * @example app.get('/metrics', serveMetrics(metrics, process.env.TIGHTLOOP_METRICS_TOKEN))
 */
export function serveMetrics(metrics: CollectorMetrics, token: string) {
  const expected = Buffer.from(`Bearer ${token}`)
  return async (c: Context) => {
    const given = Buffer.from(c.req.header('authorization') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CollectorError(
        401,
        'unauthorized',
        'GET /metrics needs the metrics token as Authorization: Bearer <TIGHTLOOP_METRICS_TOKEN>',
      )
    }
    c.header('Content-Type', metrics.registry.contentType)
    c.header('Cache-Control', 'no-store')
    return c.body(await metrics.registry.metrics())
  }
}
