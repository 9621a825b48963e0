// The request observer: times every request (a streamed body until its last byte), counts it
// by route pattern and status, writes its log line and answers with its X-Request-Id.
import { randomUUID } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Logger } from './log.ts'
import type { CollectorMetrics } from './metrics.ts'

/** A request id the client may choose: short, and nothing a log line could be tricked by. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The route pattern of the handler that answered (`/v1/users/:userId`), or `unmatched`. Read
 * after the handlers ran, so `routeIndex` is the last one that did (a catch-all registered
 * later may match too without running).
 */
function routeOf(c: Context): string {
  const route = routePath(c)
  return route === '' || route === '*' || route === '/*' ? 'unmatched' : route
}

/**
 * Observes every request for `metrics` and `logger` (either may be missing).
 *
 * @example app.use('*', observeRequests({ metrics, logger }))
 */
export function observeRequests(options: {
  metrics?: CollectorMetrics | undefined
  logger?: Logger | undefined
}): MiddlewareHandler {
  const { metrics, logger } = options
  return async (c, next) => {
    const start = performance.now()
    const given = c.req.header('x-request-id')
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID()
    await next()
    // On the response's own headers: `c.header()` after a handler answered re-creates the
    // response from its body, the same materialisation as reading `body` (see below).
    c.res.headers.set('X-Request-Id', requestId)
    const { method } = c.req
    const route = routeOf(c)
    const status = c.res.status
    const finish = () => {
      const ms = performance.now() - start
      metrics?.request(method, route, status, ms / 1000)
      const project = (c.get('caller') as { project?: { id: string } } | undefined)?.project?.id
      logger?.request({
        method,
        route,
        status,
        durationMs: Math.round(ms * 10) / 10,
        requestId,
        ...(project && { project }),
      })
    }
    // Only streams of unknown length (NDJSON exports) are followed to their end. Headers are
    // read first: reading `body` turns @hono/node-server's lightweight response into a web
    // stream the server then pipes, which, with the header above, cost ~180 µs of CPU a
    // request on the ingest path (batches of one: bench/load.ts, TIGHTLOOP_BENCH_OBSERVE=1).
    if (!isStreamed(c) || c.res.headers.has('content-length')) return finish()
    const body = c.res.body
    if (!body) return finish()
    const counted = body.pipeThrough(new TransformStream({ flush: finish }))
    c.res = new Response(counted, { status, headers: c.res.headers })
  }
}

function isStreamed(c: Context): boolean {
  return (c.res.headers.get('content-type') ?? '').includes('ndjson')
}
