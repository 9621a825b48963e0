// Resolves the project behind a request's key, and checks the browser origin against it.
import type { Context } from 'hono'
import { CollectorError } from './errors.ts'
import { hashSecretKey, isKeyOf } from './keys.ts'
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
  return project.allowedOrigins.includes('*') || project.allowedOrigins.includes(origin)
}
