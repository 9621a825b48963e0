// Resolves the project behind a request's key, and checks the browser origin against it.
import type { Context, MiddlewareHandler } from 'hono'
import { CollectorError } from './errors.ts'
import { hashSecretKey, isKeyOf } from './keys.ts'
import type { Limiter } from './limits.ts'
import { originMatches } from './origins.ts'
import type { ProjectRecord, Store } from './store/types.ts'

/** Who is calling: the project and the kind of key used. */
export interface Caller {
  project: ProjectRecord
  keyKind: 'public' | 'secret'
}

/** The key from `Authorization: Bearer …`, or from `?key=` where `allowQuery` (beacons). */
export function readKey(c: Context, allowQuery: boolean): string | null {
  const auth = c.req.header('authorization')
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth)
    if (!match)
      throw new CollectorError(401, 'unauthorized', 'Authorization must be "Bearer <key>"')
    return match[1]!
  }
  return allowQuery ? (c.req.query('key') ?? null) : null
}

/**
 * Looks a key up and returns its project, or throws 401. Expired keys (after a rotation's
 * grace period) are unknown keys.
 */
export async function authenticate(store: Store, key: string | null, now: number): Promise<Caller> {
  if (!key) throw new CollectorError(401, 'unauthorized', 'A project key is required')
  const kind = isKeyOf('public', key) ? 'public' : isKeyOf('secret', key) ? 'secret' : null
  if (!kind) throw new CollectorError(401, 'unauthorized', 'Unknown project key')
  const found = await store.findKeyWithProject(kind === 'public' ? key : hashSecretKey(key))
  if (
    !found ||
    found.key.kind !== kind ||
    (found.key.expiresAt && Date.parse(found.key.expiresAt) <= now)
  ) {
    throw new CollectorError(401, 'unauthorized', 'Unknown project key')
  }
  return { project: found.project, keyKind: kind }
}

/** Throws 403 unless the caller holds the secret key: a public key never reads anything. */
export function requireSecret(caller: Caller): void {
  if (caller.keyKind !== 'secret') {
    throw new CollectorError(403, 'forbidden', 'This route needs the project secret key')
  }
}

/** True when a browser at `origin` may send events to `project`. */
export function originAllowed(project: ProjectRecord, origin: string): boolean {
  return originMatches(project.allowedOrigins, origin)
}

/** A query string that may hold a secret key (`sk_`, `_` possibly percent-encoded). */
const SECRET_IN_URL = /[?&][^#]*sk(?:_|%5f)/i

/**
 * Middleware that refuses a secret key anywhere in the query string, on every route: URLs are
 * written to proxy and access logs and browser histories, so a key there must be rotated.
 * The answer says where the key goes instead.
 *
 * @example app.use('*', refuseSecretKeyInQuery)
 */
export const refuseSecretKeyInQuery: MiddlewareHandler = async (c, next) => {
  const url = c.req.url
  if (SECRET_IN_URL.test(url)) {
    for (const values of Object.values(c.req.queries())) {
      if (values.some((v) => /^sk_/i.test(v.trim()))) {
        throw new CollectorError(
          400,
          'invalid_query',
          'A secret key must never be sent in a URL (URLs end up in logs); send it as "Authorization: Bearer sk_…", and rotate this one',
        )
      }
    }
  }
  await next()
}

/**
 * `authenticate` for a request, behind the per-address throttle of failed key checks: an
 * address over it gets 429 with `Retry-After`, whatever key it sends, until the window ends.
 *
 * @example const caller = await authenticateRequest(c, ctx, { allowQuery: true })
 */
export async function authenticateRequest(
  c: Context,
  ctx: { store: Store; limits: Limiter },
  now: number,
  allowQuery: boolean,
): Promise<Caller> {
  ctx.limits.checkAuthBlocked(c, now)
  try {
    return await authenticate(ctx.store, readKey(c, allowQuery), now)
  } catch (err) {
    if (err instanceof CollectorError && err.status === 401) {
      await ctx.limits.recordAuthFailure(c, now)
    }
    throw err
  }
}
