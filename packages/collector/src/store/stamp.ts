// The server's view of an event's time, as ingest stamps it and as a store rebuilds it.

import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'

/** True when `iso` is already what `toISOString()` would print (UTC, milliseconds, `Z`). */
function isCanonicalIso(iso: string): boolean {
  return iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(19) === 46 /* . */
}

/**
 * The stored `occurredAt`: the client's own text when the correction left its instant alone
 * and it is already in `toISOString()` form, otherwise the corrected instant in that form.
 */
function storedOccurredAt(
  clientOccurredAt: string,
  occurredAtMs: number,
  clientMs = Date.parse(clientOccurredAt),
): string {
  return occurredAtMs === clientMs && isCanonicalIso(clientOccurredAt)
    ? clientOccurredAt
    : new Date(occurredAtMs).toISOString()
}

/**
 * Turns an event as the client sent it into the stored event, in place: `occurredAt`
 * corrected, the client's kept as `clientOccurredAt`, and `receivedAt`. The SQLite store keeps
 * some events as the client's own text and rebuilds these fields from its columns on read.
 */
export function stampEvent(
  event: FeedbackEvent,
  occurredAtMs: number,
  receivedAtIso: string,
  clientMs?: number,
): StoredEvent {
  const stored = event as StoredEvent
  const clientOccurredAt = event.occurredAt
  stored.occurredAt = storedOccurredAt(clientOccurredAt, occurredAtMs, clientMs)
  stored.clientOccurredAt = clientOccurredAt
  stored.receivedAt = receivedAtIso
  return stored
}

/**
 * An event read back from a store that may hold it as the client sent it: a payload without
 * `receivedAt` gets the stamped fields from its row's columns, exactly as ingest set them.
 * A payload stored already stamped is returned as it is.
 */
export function restampEvent(
  event: FeedbackEvent | StoredEvent,
  occurredAtMs: number,
  receivedAtMs: number,
): StoredEvent {
  if ('receivedAt' in event) return event
  return stampEvent(event, occurredAtMs, new Date(receivedAtMs).toISOString())
}
