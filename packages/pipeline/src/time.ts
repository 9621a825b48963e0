// Time helpers: the instant an event is judged on, and the UTC day and ISO-week keys.
import type { StoredEvent } from '@tightloop/schema'
import { PipelineInputError } from './errors.ts'

/**
 * One day in milliseconds.
 *
 * @example now - 45 * DAY_MS // the default TTL cutoff
 */
export const DAY_MS = 86_400_000

/** An instant as callers hold it: a `Date`, epoch milliseconds or an ISO-8601 string. */
export type Instant = Date | number | string

/**
 * Epoch milliseconds of an instant, `NaN` when it does not name one.
 *
 * @example toEpochMs('2026-11-26T00:00:00Z') // 1795651200000
 */
export function toEpochMs(value: Instant): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN
  if (typeof value === 'string') return Date.parse(value)
  return value.getTime()
}

/**
 * Epoch milliseconds of a caller-supplied clock; throws `invalid_clock` instead of letting a
 * `NaN` silently keep or drop everything.
 *
 * @example clockMs(new Date()) // a number
 */
export function clockMs(value: Instant, name = 'now'): number {
  const ms = toEpochMs(value)
  if (Number.isNaN(ms))
    throw new PipelineInputError('invalid_clock', `${name} is not a valid instant`)
  return ms
}

/**
 * The instant an event happened, as the server trusts it: the client's `occurredAt` clamped to
 * the server's `receivedAt`, because a client clock running fast would otherwise make old
 * feedback look fresh. `NaN` when `receivedAt` is unusable.
 *
 * @example eventTimeMs({ occurredAt: '2030-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z' })
 * // the receivedAt instant
 */
export function eventTimeMs(event: Pick<StoredEvent, 'occurredAt' | 'receivedAt'>): number {
  const received = Date.parse(event.receivedAt)
  const occurred = Date.parse(event.occurredAt)
  if (Number.isNaN(occurred)) return received
  return Math.min(occurred, received)
}

/**
 * The UTC day of an instant, `YYYY-MM-DD`.
 *
 * @example utcDayKey(Date.parse('2026-11-26T23:59:59Z')) // '2026-11-26'
 */
export function utcDayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Start (Monday 00:00 UTC) of the ISO week holding an instant.
 *
 * @example new Date(isoWeekStartMs(Date.parse('2026-11-26T12:00:00Z'))).toISOString()
 * // '2026-11-23T00:00:00.000Z'
 */
export function isoWeekStartMs(ms: number): number {
  const dayStart = ms - mod(ms, DAY_MS)
  const mondayBased = (new Date(dayStart).getUTCDay() + 6) % 7
  return dayStart - mondayBased * DAY_MS
}

/**
 * ISO-8601 week of an instant in UTC, `YYYY-Www`: weeks start on Monday and belong to the year
 * of their Thursday, so 2024-12-30 is `2025-W01` and 2021-01-03 is `2020-W53`.
 *
 * @example isoWeekKey(Date.parse('2026-11-26T12:00:00Z')) // '2026-W48'
 */
export function isoWeekKey(ms: number): string {
  const thursday = isoWeekStartMs(ms) + 3 * DAY_MS
  const year = new Date(thursday).getUTCFullYear()
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS))
  return `${year}-W${week < 10 ? '0' : ''}${week}`
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b
}
