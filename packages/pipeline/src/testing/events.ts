// Test and benchmark support: stored events with sensible defaults. Not part of the public API.
import type { Signal, StoredEvent } from '@tightloop/schema'

/** Fields a test may set on a stored event; anything the signal needs must be given. */
export type EventFields = { signal: Signal } & Record<string, unknown>

/** The instant most tests treat as "now": 2026-11-26T12:00:00Z. */
export const TEST_NOW = Date.parse('2026-11-26T12:00:00Z')

let counter = 0

/**
 * A stored event received one hour before {@link TEST_NOW}, with a prompt and a response.
 *
 * @example makeEvent({ signal: 'thumbs_down', userId: 'u-9' })
 */
export function makeEvent(fields: EventFields): StoredEvent {
  counter += 1
  const at = new Date(TEST_NOW - 3_600_000).toISOString()
  return {
    eventId: `e-${counter}`,
    requestId: `req-${counter}`,
    sessionId: 's-1',
    userId: 'u-1',
    occurredAt: at,
    receivedAt: at,
    clientOccurredAt: at,
    prompt: 'How do I reset my password?',
    response: 'Open Settings, choose Security, then click Reset password and follow the email.',
    ...fields,
  } as StoredEvent
}

/**
 * An ISO timestamp `days` before {@link TEST_NOW} (fractions allowed).
 *
 * @example daysAgo(45) // '2026-10-12T12:00:00.000Z'
 */
export function daysAgo(days: number): string {
  return new Date(TEST_NOW - days * 86_400_000).toISOString()
}
