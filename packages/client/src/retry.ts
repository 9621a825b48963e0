// When to try again: exponential backoff with jitter, and the collector's own `Retry-After`.

/** Longest `Retry-After` honoured: a longer one is more likely a misconfiguration than a plan. */
export const RETRY_AFTER_MAX_MS = 3_600_000 // 1 hour

/**
 * Delay before retry number `attempt` (0-based): `startMs` doubling up to `maxMs`, then ±50 %
 * jitter so many browsers that failed together do not retry together (as posthog-js does).
 *
 * @example retryDelay(0, 2_000, 300_000, Math.random) // between 1 and 3 s
 */
export function retryDelay(
  attempt: number,
  startMs: number,
  maxMs: number,
  random: () => number,
): number {
  return Math.min(maxMs, startMs * 2 ** attempt) * (0.5 + random())
}

/**
 * Milliseconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date), capped
 * at an hour; undefined when absent or unreadable.
 *
 * @example parseRetryAfter('120', Date.now()) // 120000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return
  const seconds = Number(value)
  const ms = seconds >= 0 ? seconds * 1000 : Date.parse(value) - now
  if (ms >= 0) return Math.min(ms, RETRY_AFTER_MAX_MS)
}
