// POST /v1/events: validates each event on its own, stores the valid ones once, reports the rest.

import type { IncomingMessage } from 'node:http'
import {
  eventBatchSchema,
  type FeedbackEvent,
  type FeedbackEventOf,
  feedbackEventSchema,
  type IngestResult,
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH,
  MAX_REPORTED_DROPS,
  type RejectedEvent,
} from '@tightloop/schema'
import type { Context } from 'hono'
import { acceptsAsIs } from '../accept.ts'
import { authenticateRequest } from '../auth.ts'
import { readBodyText } from '../body.ts'
import { findDuplicateKeys } from '../duplicate-keys.ts'
import { CollectorError } from '../errors.ts'
import { scrubEvent } from '../scrub.ts'
import { stampEvent } from '../store/stamp.ts'
import type { EventRow, ProjectRecord } from '../store/types.ts'
import { eventFromFeedback } from '../webhooks/event.ts'
import type { CollectorContext } from './context.ts'

const ACCEPTED_TYPES = ['application/json', 'text/plain']
const DAY_MS = 86_400_000

/** Why an event's time was refused: further from its receipt than the project's window. */
function outsideWindow(project: ProjectRecord, event: FeedbackEvent): string {
  return `occurredAt: ${event.occurredAt} is more than ${project.eventWindowDays} days from when the collector received it (after correcting the client's clock by sentAt); the project takes events of the last ${project.eventWindowDays} days`
}

/** Handles one ingest request end to end; answers only after the batch is committed. */
export async function ingest(c: Context, ctx: CollectorContext) {
  const receivedAt = ctx.now()
  // A flooding address is turned away before it costs a key lookup.
  await ctx.limits.checkAddress(c, receivedAt)
  const caller = await authenticateRequest(c, ctx, receivedAt, true)
  if (caller.keyKind !== 'public') {
    // A secret key has no business in a browser; refusing it keeps it out of pages.
    throw new CollectorError(
      403,
      'forbidden',
      'Ingest takes the project public key (pk_…); the secret key never goes into a browser',
    )
  }
  const { project } = caller
  c.set('caller', caller) // for the request's log line
  ctx.checkOrigin(c, project)
  await ctx.limits.checkKey(project, receivedAt)

  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (!ACCEPTED_TYPES.includes(type)) {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      'Send the batch as application/json or text/plain',
    )
  }
  const text = await readBodyText(
    c.req.raw,
    MAX_BATCH_BYTES,
    (c.env as { incoming?: IncomingMessage } | undefined)?.incoming,
  )
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CollectorError(400, 'invalid_json', 'The body is not valid JSON')
  }
  // A repeated key means one thing to JSON.parse (the last) and another to SQL (the first).
  const repeated = findDuplicateKeys(text)
  if (repeated?.envelope) {
    throw new CollectorError(400, 'invalid_body', 'The batch repeats a key: each may appear once')
  }
  const envelope = eventBatchSchema.safeParse(json)
  if (!envelope.success) {
    const events = (json as { events?: unknown } | null)?.events
    if (Array.isArray(events) && events.length > MAX_EVENTS_PER_BATCH) {
      throw new CollectorError(
        400,
        'too_many_events',
        `A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`,
      )
    }
    throw new CollectorError(400, 'invalid_body', describe(envelope.error))
  }
  const batch = envelope.data
  await ctx.limits.checkQuota(project, batch.events.length, receivedAt)

  // The client's clock may be off: shift its timestamps by how far its `sentAt` is from ours,
  // unless `sentAt` is no plausible clock (further off than the window): then each event is
  // judged on its own `occurredAt`, so one forged `sentAt` cannot move a batch anywhere in time.
  const windowMs = project.eventWindowDays * DAY_MS
  const sentSkewMs = batch.sentAt ? receivedAt - Date.parse(batch.sentAt) : 0
  const skewMs = Math.abs(sentSkewMs) <= windowMs ? sentSkewMs : 0
  const receivedAtIso = new Date(receivedAt).toISOString()
  const reasons = new Set(project.escalationReasons)
  const rejected: RejectedEvent[] = []
  const rows: EventRow[] = []
  // Thumbs-down amendments, under the eventId of the vote they amend, with their body index.
  const amendments: EventRow[] = []
  const amendmentIndexes: number[] = []
  // Where each stored event sits in the body, while every one is the body's event unchanged.
  let indexes: number[] | undefined = project.scrubPii ? undefined : []
  batch.events.forEach((raw, index) => {
    if (repeated?.events.has(index)) {
      rejected.push({
        index,
        ...eventIdOf(raw),
        error: 'The event repeats a key: each may appear once',
      })
      return
    }
    let event: FeedbackEvent
    // Most events are valid as sent: they serve as the parsed event without zod's copy.
    const asIs = acceptsAsIs(raw)
    if (asIs) event = raw as FeedbackEvent
    else {
      const parsed = feedbackEventSchema.safeParse(raw)
      if (!parsed.success) {
        rejected.push({ index, ...eventIdOf(raw), error: describe(parsed.error) })
        return
      }
      event = parsed.data
    }
    if (event.signal === 'agent_escalation' && !reasons.has(event.escalationReason)) {
      rejected.push({
        index,
        eventId: event.eventId,
        error: `escalationReason: "${event.escalationReason}" is not one of this project's reasons`,
      })
      return
    }
    const clientMs = Date.parse(event.occurredAt)
    const correctedMs = clientMs + skewMs
    if (!(Math.abs(correctedMs - receivedAt) <= windowMs)) {
      rejected.push({ index, eventId: event.eventId, error: outsideWindow(project, event) })
      return
    }
    const amends = event.signal === 'thumbs_down' ? event.amends : undefined
    if (project.scrubPii) event = scrubEvent(event)
    else if (amends === undefined) {
      if (indexes && (asIs || isVerbatim(raw, event))) indexes.push(index)
      else indexes = undefined
    }
    if (amends !== undefined) {
      // Stored, if at all, as the vote it amends; a copy, so the body's event stays as sent.
      const { amends: _, ...rest } = event as FeedbackEventOf<'thumbs_down'>
      event = { ...rest, eventId: amends }
    }
    const occurredAt = Math.min(correctedMs, receivedAt)
    // The event is zod's fresh object or the body's own parsed one, used nowhere else, so it
    // becomes the stored event in place: copying it with a spread cost about 2 µs an event.
    const stored = stampEvent(event, occurredAt, receivedAtIso, clientMs)
    const row: EventRow = {
      eventId: event.eventId,
      signal: event.signal,
      requestId: event.requestId,
      userId: event.userId,
      occurredAt,
      receivedAt,
      productVersion: event.productVersion ?? null,
      event: stored,
    }
    if (amends === undefined) rows.push(row)
    else {
      amendments.push(row)
      amendmentIndexes.push(index)
    }
  })

  const { inserted, duplicates } = await ctx.store.insertEvents(
    project.id,
    rows,
    indexes && { text, indexes },
  )
  if (inserted > 0) await notifyWebhooks(ctx, project.id, rows, receivedAt)
  // After the votes of this batch are committed, so an amendment sent with its vote finds it.
  let amended = 0
  const applied = await ctx.store.amendEvents(project.id, amendments)
  applied.forEach((ok, i) => {
    if (ok) amended += 1
    else {
      rejected.push({
        index: amendmentIndexes[i]!,
        eventId: (batch.events[amendmentIndexes[i]!] as { eventId: string }).eventId,
        error: `amends: event ${amendments[i]!.eventId} is not a thumbs_down of this user and requestId`,
      })
    }
  })
  if (amendments.length > 0) rejected.sort((a, b) => a.index - b.index)
  // A retried batch (nothing new stored) reported its drops the first time; a count above
  // what a client can hold is capped, so one batch cannot inflate the total.
  // (An amendment merged again on a retry is no new row: it does not count here.)
  const dropped = inserted > 0 ? Math.min(batch.client?.dropped ?? 0, MAX_REPORTED_DROPS) : 0
  if (dropped > 0) {
    // Loss is never silent: what the browser gave up on is kept per day and shown in /v1/stats.
    await ctx.store.addClientDrops(project.id, receivedAtIso.slice(0, 10), dropped)
    ctx.onClientDropped(project.id, dropped)
  }
  const result: IngestResult = { accepted: inserted + amended, duplicates, rejected }
  ctx.metrics?.ingested(result)
  return c.json(result, 200)
}

/**
 * True when parsing `raw` from the body again gives back `parsed`: validation dropped no key
 * (it only ever drops keys; no field is transformed). Events with `metadata` never count, as
 * a nested key such as `__proto__` could be dropped without changing the top-level count.
 */
function isVerbatim(raw: unknown, parsed: FeedbackEvent): boolean {
  if (parsed.metadata !== undefined) return false
  return Object.keys(raw as object).length === Object.keys(parsed).length
}

function eventIdOf(raw: unknown): { eventId?: string } {
  const id = (raw as { eventId?: unknown } | null)?.eventId
  return typeof id === 'string' && id.length <= 64 ? { eventId: id } : {}
}

/** One readable line from a zod error: the first few issues with their paths. */
export function describe(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[]
}): string {
  return error.issues
    .slice(0, 3)
    .map(
      (issue) =>
        `${issue.path.length ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`,
    )
    .join('; ')
}

/**
 * Enqueues the escalations and low scores of a stored batch for the project's webhooks. A
 * failure is logged, never answered: the events are stored, and the client must not resend.
 * An event stored earlier (a duplicate) enqueues nothing new: the outbox keeps one delivery
 * per webhook and event id.
 */
async function notifyWebhooks(
  ctx: CollectorContext,
  projectId: string,
  rows: EventRow[],
  receivedAt: number,
) {
  const events = rows.flatMap((row) => eventFromFeedback(projectId, row.event, receivedAt) ?? [])
  if (events.length === 0) return
  try {
    await ctx.webhooks.notify(projectId, events)
  } catch (err) {
    ctx.log('tightloop: enqueueing webhook deliveries failed', err)
  }
}
