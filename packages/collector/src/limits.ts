// Abuse limits: fixed-window rate limits per client address and per public key, and quotas.
import { createHmac, randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { addressUnit, readClientAddress } from './client-address.ts'
import { CollectorError } from './errors.ts'
import type { ProjectRecord, Store } from './store/types.ts'

/** A budget of requests (or events) per window. */
export interface RateLimit {
  max: number
  windowMs: number
}

/** Limits a collector enforces on ingest; each is off when left out. */
export interface LimitOptions {
  /** Requests per client address (IPv6: per /64), across every key, counted before the key is checked. */
  perAddress?: RateLimit
  /** Requests per project public key, across every address. */
  perKey?: RateLimit
  /**
   * Events per project per window, checked before storing: one budget for every project, or
   * a function giving each project its own (undefined = unlimited).
   */
  eventsPerProject?: RateLimit | ((project: ProjectRecord) => RateLimit | undefined)
  /**
   * Secret of the keyed hash addresses are counted under, so a raw address is never stored.
   * Random per process by default: give every process of a cluster the same one, or each
   * counts a client under a different name and the address limit multiplies.
   */
  addressSecret?: string
  /** How many reverse proxies in front of the collector append to X-Forwarded-For (default 0: header ignored). */
  trustProxy?: number
  /** Reads the client address instead; overrides `trustProxy`. */
  clientAddress?: (c: Context) => string | undefined
  /**
   * Failed key checks per client address before every request from it gets 429 until the
   * window ends, so keys cannot be guessed at speed. On by default (20 a minute); `false` off.
   */
  authFailures?: RateLimit | false
}

/** Enforces the limits; one per collector. */
export interface Limiter {
  /** The per-address limit; cheap enough to run before the key is even looked up. */
  checkAddress(c: Context, now: number): Promise<void>
  /** The per-key limit of an authenticated project. */
  checkKey(project: ProjectRecord, now: number): Promise<void>
  /** Both of the above. */
  check(c: Context, project: ProjectRecord, now: number): Promise<void>
  /** Counts `events` against the project's quota. */
  checkQuota(project: ProjectRecord, events: number, now: number): Promise<void>
  /** 429 when the address used up its failed key checks; free while no address is blocked. */
  checkAuthBlocked(c: Context, now: number): void
  /** Counts a failed key check of the address; throws 429 once it is over the limit. */
  recordAuthFailure(c: Context, now: number): Promise<void>
}

/** Failed key checks an address may make per minute by default: a person mistyping a key makes a few. */
export const DEFAULT_AUTH_FAILURES: RateLimit = { max: 20, windowMs: 60_000 }
const BLOCKED_SWEEP_SIZE = 10_000 // blocked addresses kept before expired ones are swept

const ADDRESS_HASH_CHARS = 22 // 132 bits of HMAC-SHA-256: no collisions in practice

const throttled = (code: 'rate_limited' | 'quota_exceeded', retryAfterS: number) =>
  new CollectorError(
    429,
    code,
    code === 'rate_limited'
      ? `Too many requests; retry in ${retryAfterS} s`
      : `The project's event quota is used up; retry in ${retryAfterS} s`,
    { headers: { 'Retry-After': String(retryAfterS) } },
  )

const authThrottled = (retryAfterS: number) =>
  new CollectorError(
    429,
    'rate_limited',
    `Too many failed key checks from this address; retry in ${retryAfterS} s`,
    { headers: { 'Retry-After': String(retryAfterS) } },
  )

/**
 * Builds the limiter. Counters live in the store, so several collector processes on one
 * PostgreSQL share them.
 *
 * @example createLimiter(store, { perAddress: { max: 600, windowMs: 60_000 }, trustProxy: 1 })
 */
export function createLimiter(store: Store, options: LimitOptions = {}): Limiter {
  const { perAddress, perKey, eventsPerProject } = options
  const authFailures =
    options.authFailures === false ? undefined : (options.authFailures ?? DEFAULT_AUTH_FAILURES)
  /** Address hash → when its block ends. Each process learns a block from the shared count. */
  const blocked = new Map<string, number>()
  const secret = options.addressSecret ?? randomBytes(32).toString('hex')
  const trustProxy = options.trustProxy ?? 0
  const readAddress = options.clientAddress ?? ((c: Context) => readClientAddress(c, trustProxy))
  const hashAddress = (address: string) =>
    createHmac('sha256', secret)
      .update(addressUnit(address))
      .digest('base64url')
      .slice(0, ADDRESS_HASH_CHARS)
  const quotaOf = typeof eventsPerProject === 'function' ? eventsPerProject : () => eventsPerProject

  /** Counts `cost` and returns 0 when within the limit, else the seconds until the window ends. */
  const hit = async (bucket: string, limit: RateLimit, now: number, cost: number) => {
    const windowStart = now - (now % limit.windowMs)
    const count = await store.hitRateLimit(bucket, windowStart, cost, limit.windowMs)
    if (count <= limit.max) return 0
    return Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000))
  }

  const limiter: Limiter = {
    async checkAddress(c, now) {
      if (!perAddress) return
      const address = readAddress(c)
      if (!address) return
      const retryAfter = await hit(`addr:${hashAddress(address)}`, perAddress, now, 1)
      if (retryAfter) throw throttled('rate_limited', retryAfter)
    },
    async checkKey(project, now) {
      if (!perKey) return
      const retryAfter = await hit(`key:${project.id}`, perKey, now, 1)
      if (retryAfter) throw throttled('rate_limited', retryAfter)
    },
    async check(c, project, now) {
      await limiter.checkAddress(c, now)
      await limiter.checkKey(project, now)
    },
    checkAuthBlocked(c, now) {
      if (blocked.size === 0) return // the common case costs nothing, not even a hash
      const address = readAddress(c)
      if (!address) return
      const until = blocked.get(hashAddress(address))
      if (until === undefined) return
      if (until <= now) blocked.delete(hashAddress(address))
      else throw authThrottled(Math.max(1, Math.ceil((until - now) / 1000)))
    },
    async recordAuthFailure(c, now) {
      if (!authFailures) return
      const address = readAddress(c)
      if (!address) return
      const hash = hashAddress(address)
      const retryAfter = await hit(`authfail:${hash}`, authFailures, now, 1)
      if (!retryAfter) return
      if (blocked.size >= BLOCKED_SWEEP_SIZE) {
        for (const [h, until] of blocked) if (until <= now) blocked.delete(h)
      }
      blocked.set(hash, now + retryAfter * 1000)
      throw authThrottled(retryAfter)
    },
    async checkQuota(project, events, now) {
      const quota = quotaOf(project)
      if (!quota) return
      const retryAfter = await hit(`quota:${project.id}`, quota, now, events)
      if (retryAfter) throw throttled('quota_exceeded', retryAfter)
    },
  }
  return limiter
}
