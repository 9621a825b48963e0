// Webhooks and their durable outbox, shared by both store engines: an event to deliver is a
// row before anyone tries to send it, so a restart loses nothing.

/** What a webhook can be told about. */
export const WEBHOOK_EVENTS = [
  'alert',
  'escalation',
  'low_csat',
  'user_flagged',
  'review_pending',
] as const

/** One of {@link WEBHOOK_EVENTS}. */
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number]

/** How a delivery's body is shaped: our JSON event, or a Slack incoming-webhook message. */
export type WebhookFormat = 'json' | 'slack'

/** A webhook as stored; `secret` never leaves the collector after creation. */
export interface WebhookRecord {
  id: string
  projectId: string
  url: string
  events: WebhookEventType[]
  secret: string
  format: WebhookFormat
  /** ms since the epoch. */
  createdAt: number
}

/** One try at delivering: when, and the HTTP status or the error. */
export interface DeliveryAttempt {
  at: number
  status: number | null
  error: string | null
}

/** A delivery to enqueue: `id` is the event's id, the same on every attempt. */
export interface OutboxInput {
  webhookId: string
  projectId: string
  id: string
  eventType: WebhookEventType
  payload: unknown
  createdAt: number
}

/** A delivery and its state: pending (`nextAttemptAt` set), delivered or failed. */
export interface DeliveryRecord extends OutboxInput {
  nextAttemptAt: number | null
  attempts: DeliveryAttempt[]
  deliveredAt: number | null
  failedAt: number | null
}

/** A claimed delivery with what sending it needs. */
export interface DueDelivery extends DeliveryRecord {
  webhook: WebhookRecord
}

/** What became of an attempt: delivered, retry at a time, or given up. */
export type AttemptOutcome = { delivered: true } | { retryAt: number } | { failed: true }

/** The webhook part of the store, implemented by every engine. */
export interface WebhookStore {
  createWebhook(webhook: WebhookRecord): Promise<void>
  listWebhooks(projectId: string): Promise<WebhookRecord[]>
  /** Removes the webhook and its pending deliveries; false when the project has no such id. */
  deleteWebhook(projectId: string, id: string): Promise<boolean>
  /** Stores deliveries; one already stored for the same webhook and event id is kept as is. */
  enqueueDeliveries(rows: OutboxInput[]): Promise<void>
  /**
   * Deliveries due at `now`, at most `limit`, each leased until `now + leaseMs` so another
   * process (or the next tick) does not send it twice while this attempt runs.
   */
  claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<DueDelivery[]>
  /** Appends the attempt to the delivery's history and applies its outcome. */
  recordAttempt(
    webhookId: string,
    id: string,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void>
  /** A webhook's deliveries, newest first (at most `limit`). */
  listDeliveries(projectId: string, webhookId: string, limit: number): Promise<DeliveryRecord[]>
}
