// Webhooks and their outbox on SQLite, on the store's own connection (synchronous=FULL: an
// enqueued delivery is durable when the call resolves).
import type Database from 'better-sqlite3'
import type { DeliveryRecord, DueDelivery, WebhookRecord, WebhookStore } from './webhook-types.ts'

interface WebhookRow {
  id: string
  project_id: string
  url: string
  events: string | WebhookRecord['events']
  secret: string
  format: WebhookRecord['format']
  created_at: number
}

interface OutboxRow {
  webhook_id: string
  id: string
  project_id: string
  event_type: DeliveryRecord['eventType']
  payload: string | object
  created_at: number | string
  next_attempt_at: number | string | null
  attempts: string | DeliveryRecord['attempts']
  delivered_at: number | string | null
  failed_at: number | string | null
}

const json = <T>(value: string | T): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value
const num = (value: number | string | null) => (value === null ? null : Number(value))

/** A webhook row of either engine as a record. */
export const toWebhook = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  projectId: r.project_id,
  url: r.url,
  events: json<WebhookRecord['events']>(r.events),
  secret: r.secret,
  format: r.format,
  createdAt: Number(r.created_at),
})

/** An outbox row of either engine as a record. */
export const toDelivery = (r: OutboxRow): DeliveryRecord => ({
  webhookId: r.webhook_id,
  projectId: r.project_id,
  id: r.id,
  eventType: r.event_type,
  payload: json(r.payload),
  createdAt: Number(r.created_at),
  nextAttemptAt: num(r.next_attempt_at),
  attempts: json(r.attempts),
  deliveredAt: num(r.delivered_at),
  failedAt: num(r.failed_at),
})

/**
 * The webhook methods of the SQLite store.
 *
 * @example const store = { ...otherMethods, ...sqliteWebhooks(db) }
 */
export function sqliteWebhooks(db: Database.Database): WebhookStore {
  return {
    async createWebhook(w) {
      db.prepare(
        `INSERT INTO webhooks (id, project_id, url, events, secret, format, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(w.id, w.projectId, w.url, JSON.stringify(w.events), w.secret, w.format, w.createdAt)
    },

    async listWebhooks(projectId) {
      const rows = db
        .prepare('SELECT * FROM webhooks WHERE project_id = ? ORDER BY created_at, id')
        .all(projectId) as WebhookRow[]
      return rows.map(toWebhook)
    },

    async deleteWebhook(projectId, id) {
      return db.transaction(() => {
        const { changes } = db
          .prepare('DELETE FROM webhooks WHERE project_id = ? AND id = ?')
          .run(projectId, id)
        if (changes > 0) db.prepare('DELETE FROM webhook_outbox WHERE webhook_id = ?').run(id)
        return changes > 0
      })()
    },

    async enqueueDeliveries(rows) {
      const insert = db.prepare(
        `INSERT INTO webhook_outbox
           (webhook_id, id, project_id, event_type, payload, created_at, next_attempt_at, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, '[]') ON CONFLICT DO NOTHING`,
      )
      db.transaction(() => {
        for (const r of rows) {
          insert.run(
            r.webhookId,
            r.id,
            r.projectId,
            r.eventType,
            JSON.stringify(r.payload),
            r.createdAt,
            r.createdAt,
          )
        }
      })()
    },

    async claimDueDeliveries(now, limit, leaseMs) {
      return db
        .transaction(() => {
          const rows = db
            .prepare(
              `SELECT o.*, w.url, w.events, w.secret, w.format, w.created_at AS w_created_at
             FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
             WHERE o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= ?
             ORDER BY o.next_attempt_at LIMIT ?`,
            )
            .all(now, limit) as (OutboxRow & Omit<WebhookRow, 'id'> & { w_created_at: number })[]
          const lease = db.prepare(
            'UPDATE webhook_outbox SET next_attempt_at = ? WHERE webhook_id = ? AND id = ?',
          )
          for (const r of rows) lease.run(now + leaseMs, r.webhook_id, r.id)
          return rows.map(
            (r): DueDelivery => ({
              ...toDelivery(r),
              webhook: toWebhook({ ...r, id: r.webhook_id, created_at: r.w_created_at }),
            }),
          )
        })
        .immediate()
    },

    async recordAttempt(webhookId, id, attempt, outcome) {
      db.prepare(
        `UPDATE webhook_outbox SET
           attempts = json_insert(attempts, '$[#]', json(?)),
           next_attempt_at = ?, delivered_at = ?, failed_at = ?
         WHERE webhook_id = ? AND id = ?`,
      ).run(
        JSON.stringify(attempt),
        'retryAt' in outcome ? outcome.retryAt : null,
        'delivered' in outcome ? attempt.at : null,
        'failed' in outcome ? attempt.at : null,
        webhookId,
        id,
      )
    },

    async listDeliveries(projectId, webhookId, limit) {
      const rows = db
        .prepare(
          `SELECT * FROM webhook_outbox WHERE project_id = ? AND webhook_id = ?
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        )
        .all(projectId, webhookId, limit) as OutboxRow[]
      return rows.map(toDelivery)
    },
  }
}
