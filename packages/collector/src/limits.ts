// Abuse limits: fixed-window rate limits per public key and per client address, and quotas.
import { createHmac, randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { CollectorError } from './errors.ts'
import type { ProjectRecord, Store } from './store/types.ts'

/** A budget of requests (or events) per window. */
export interface RateLimit {
  max: number
  windowMs: number
}

/** Limits a collector enforces on ingest; each is off when left out. */
export interface LimitOptions {
  /** Requests per client address, across every key. */
  perAddress?: RateLimit
  /** Requests per public key, across every address. */
  perKey?: RateLimit
  /** Events accepted per project per window (a quota, checked before storing). */
  eventsPerProject?: RateLimit
  /** Secret mixed into address hashes so raw addresses are never stored or logged. */
  addressSecret?: string
  /** Reads the client address; defaults to the socket's remote address. */
  clientAddress?: (c: Context) => string | undefined
}

/** Enforces the limits; one per collector. */
export interface Limiter {
  check(c: Context, project: ProjectRecord, now: number): Promise<void>
  checkQuota(project: ProjectRecord, events: number, now: number): Promise<void>
}

const socketAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress

/**
 * Builds the limiter. Counters live in the store, so several collector processes on one
 * PostgreSQL share them.
 *
 * @example createLimiter(store, { perAddress: { max: 600, windowMs: 60_000 } })
 */
export function createLimiter(store: Store, options: LimitOptions = {}): Limiter {
  const secret = options.addressSecret ?? randomBytes(32).toString('hex')
  const readAddress = options.clientAddress ?? socketAddress
  const hashAddress = (address: string) =>
    createHmac('sha256', secret).update(address).digest('base64url').slice(0, 22)

  const hit = async (bucket: string, limit: RateLimit, now: number, cost: number) => {
    const windowStart = now - (now % limit.windowMs)
    const count = await store.hitRateLimit(bucket, windowStart, cost)
    if (count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000))
      return retryAfter
    }
    return 0
  }

  return {
    async check(c, project, now) {
      let retryAfter = 0
      if (options.perAddress) {
        const address = readAddress(c)
        if (address) {
          retryAfter = await hit(`addr:${hashAddress(address)}`, options.perAddress, now, 1)
        }
      }
      if (!retryAfter && options.perKey) {
        retryAfter = await hit(`key:${project.id}`, options.perKey, now, 1)
      }
      if (retryAfter) {
        throw new CollectorError(429, 'rate_limited', 'Too many requests; retry later', {
          headers: { 'Retry-After': String(retryAfter) },
        })
      }
    },
    async checkQuota(project, events, now) {
      if (!options.eventsPerProject) return
      const retryAfter = await hit(`quota:${project.id}`, options.eventsPerProject, now, events)
      if (retryAfter) {
        throw new CollectorError(429, 'quota_exceeded', "The project's event quota is used up", {
          headers: { 'Retry-After': String(retryAfter) },
        })
      }
    },
  }
}
