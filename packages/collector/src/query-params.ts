// The one check of a route's query string: each route declares the parameters it takes.
import type { MiddlewareHandler } from 'hono'
import { CollectorError } from './errors.ts'

/**
 * Middleware that answers `400 invalid_query` for any query parameter the route does not
 * declare, so a misspelt `sinse=` is an error rather than a silently unfiltered answer. Put it
 * on every route, with no names when the route takes none.
 *
 * @example app.get('/v1/events', secret, allowQuery('since', 'until'), handler)
 */
export function allowQuery(...names: string[]): MiddlewareHandler {
  const allowed = new Set(names)
  const takes = names.length ? `takes ${names.join(', ')}` : 'takes no query parameters'
  return async (c, next) => {
    // Most requests have no query string: skip parsing it.
    if (c.req.url.includes('?')) {
      for (const name of Object.keys(c.req.queries())) {
        if (!allowed.has(name)) {
          throw new CollectorError(
            400,
            'invalid_query',
            `Unknown query parameter "${name}"; ${c.req.method} ${c.req.routePath} ${takes}`,
          )
        }
      }
    }
    await next()
  }
}
