// Webhooks and their outbox on PostgreSQL, shared by every collector process: a claim takes
// rows with SKIP LOCKED, so two processes never send the same delivery at once.
import type pg from 'pg'
import { toDelivery, toWebhook } from './sqlite-webhooks.ts'
import type { DueDelivery, WebhookStore } from './webhook-types.ts'

/**
 * The webhook methods of the PostgreSQL store.
 *
 * @example const store = { ...otherMethods, ...postgresWebhooks(pool) }
 */
export function postgresWebhooks(pool: pg.Pool): WebhookStore {
  return {
    async createWebhook(w) {
      await pool.query(
        `INSERT INTO webhooks (id, project_id, url, events, secret, format, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [w.id, w.projectId, w.url, JSON.stringify(w.events), w.secret, w.format, w.createdAt],
      )
    },

    async listWebhooks(projectId) {
      const { rows } = await pool.query(
        'SELECT * FROM webhooks WHERE project_id = $1 ORDER BY created_at, id',
        [projectId],
      )
      return rows.map(toWebhook)
    },

    async deleteWebhook(projectId, id) {
      const { rowCount } = await pool.query(
        `WITH gone AS (DELETE FROM webhooks WHERE project_id = $1 AND id = $2 RETURNING id),
              outbox AS (DELETE FROM webhook_outbox WHERE webhook_id IN (SELECT id FROM gone))
         SELECT id FROM gone`,
        [projectId, id],
      )
      return (rowCount ?? 0) > 0
    },

    async enqueueDeliveries(rows) {
      if (rows.length === 0) return
      await pool.query(
        `INSERT INTO webhook_outbox
           (webhook_id, id, project_id, event_type, payload, created_at, next_attempt_at, attempts)
         SELECT w, i, p, t, d::json, c, c, '[]'::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
           AS u(w, i, p, t, d, c)
         ON CONFLICT DO NOTHING`,
        [
          rows.map((r) => r.webhookId),
          rows.map((r) => r.id),
          rows.map((r) => r.projectId),
          rows.map((r) => r.eventType),
          rows.map((r) => JSON.stringify(r.payload)),
          rows.map((r) => r.createdAt),
        ],
      )
    },

    async claimDueDeliveries(now, limit, leaseMs) {
      const { rows } = await pool.query(
        `WITH due AS (
           SELECT webhook_id, id FROM webhook_outbox
           WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE webhook_outbox o SET next_attempt_at = $1 + $3
         FROM due, webhooks w
         WHERE o.webhook_id = due.webhook_id AND o.id = due.id AND w.id = o.webhook_id
         RETURNING o.*, w.url, w.events, w.secret, w.format, w.created_at AS w_created_at,
           o.next_attempt_at - $3 AS due_at`,
        [now, limit, leaseMs],
      )
      return rows.map(
        (r): DueDelivery => ({
          ...toDelivery({ ...r, next_attempt_at: r.due_at }),
          webhook: toWebhook({ ...r, id: r.webhook_id, created_at: r.w_created_at }),
        }),
      )
    },

    async recordAttempt(webhookId, id, attempt, outcome) {
      await pool.query(
        `UPDATE webhook_outbox SET attempts = attempts || jsonb_build_array($1::jsonb),
           next_attempt_at = $2, delivered_at = $3, failed_at = $4
         WHERE webhook_id = $5 AND id = $6`,
        [
          JSON.stringify(attempt),
          'retryAt' in outcome ? outcome.retryAt : null,
          'delivered' in outcome ? attempt.at : null,
          'failed' in outcome ? attempt.at : null,
          webhookId,
          id,
        ],
      )
    },

    async listDeliveries(projectId, webhookId, limit) {
      const { rows } = await pool.query(
        `SELECT * FROM webhook_outbox WHERE project_id = $1 AND webhook_id = $2
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [projectId, webhookId, limit],
      )
      return rows.map(toDelivery)
    },
  }
}
