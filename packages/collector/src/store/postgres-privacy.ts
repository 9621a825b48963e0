// A person's data and export lineage in the PostgreSQL store: see it, erase it, trace it.
//
// A deleted row is gone from every query at once. Its bytes stay in the table's dead tuples
// until VACUUM (autovacuum) reclaims the space, and in WAL segments and backups until they
// age out; `storageCleared` is therefore false here (README, Security and privacy).

import type { StoredEvent } from '@tightloop/schema'
import type pg from 'pg'
import { pgText } from './postgres-insert.ts'
import type {
  ErasureResult,
  ExportRunRecord,
  ExportRunRef,
  PrivacyStore,
  RetentionResult,
} from './privacy-types.ts'

/** Rows per page while streaming one user's events. */
const USER_PAGE_ROWS = 2_000
/** Rows one retention statement deletes, so one run never holds a huge transaction. */
const RETENTION_CHUNK_ROWS = 5_000
/** Lineage rows per INSERT (one array parameter each, so any number fits; this bounds memory). */
const LINEAGE_ROWS_PER_STATEMENT = 10_000

interface ExportRunRow {
  id: string
  exported_at: Date
  format: string
  range_since: string | null
  range_until: string | null
  rules: unknown
  events: string
  records: string
  users: number
  complete: boolean
  via: string
}

const toExportRun = (r: ExportRunRow): ExportRunRecord => ({
  id: Number(r.id),
  exportedAt: r.exported_at.toISOString(),
  format: r.format,
  range: { since: r.range_since, until: r.range_until },
  rules: r.rules,
  events: Number(r.events),
  records: Number(r.records),
  users: r.users,
  complete: r.complete,
  via: r.via,
})

/** Runs `work` in one transaction on one pooled connection. */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>) {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

const logErasure = async (
  client: pg.PoolClient,
  projectId: string,
  kind: string,
  at: Date,
  events: number,
  exports: number[],
) =>
  Number(
    (
      await client.query<{ id: string }>(
        `INSERT INTO erasures (project_id, kind, erased_at, events, exports)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [projectId, kind, at, events, JSON.stringify(exports)],
      )
    ).rows[0]!.id,
  )

/**
 * The {@link PrivacyStore} methods of a PostgreSQL store, on its pool.
 *
 * @example const store = { ...otherMethods, ...postgresPrivacy(pool) }
 */
export function postgresPrivacy(pool: pg.Pool): PrivacyStore {
  return {
    async *streamUserEvents(projectId, userId) {
      let cursor = '0'
      for (;;) {
        const { rows } = await pool.query<{ seq: string; payload: unknown }>(
          `SELECT seq, payload FROM events WHERE project_id = $1 AND user_id = $2 AND seq > $3
           ORDER BY seq LIMIT $4`,
          [projectId, pgText(userId), cursor, USER_PAGE_ROWS],
        )
        for (const row of rows) yield row.payload as StoredEvent
        if (rows.length < USER_PAGE_ROWS) return
        cursor = rows[rows.length - 1]!.seq
      }
    },

    // Everything stored about one user, in one transaction: the one place to extend when a
    // table gains rows a user produces (an answer log: delete the entries whose requests only
    // this user's events referred to, before the events go, and count them).
    async eraseUser(projectId, userId, now): Promise<ErasureResult> {
      const at = new Date(now)
      const user = pgText(userId)
      const removed = await inTransaction(pool, async (client) => {
        const exports = (
          await client.query<{ id: string; exported_at: Date; format: string; via: string }>(
            `SELECT r.id, r.exported_at, r.format, r.via FROM export_users u
             JOIN export_runs r ON r.id = u.export_id
             WHERE u.project_id = $1 AND u.user_id = $2 ORDER BY r.id`,
            [projectId, user],
          )
        ).rows.map(
          (r): ExportRunRef => ({
            id: Number(r.id),
            exportedAt: r.exported_at.toISOString(),
            format: r.format,
            via: r.via,
          }),
        )
        const del = async (sql: string) =>
          (await client.query(sql, [projectId, user])).rowCount ?? 0
        // Answers only this user's feedback was about go with it (before the events that say so).
        const answerLogEntries = await del(
          `DELETE FROM answers WHERE project_id = $1 AND request_id IN (
             SELECT request_id FROM events WHERE project_id = $1 AND user_id = $2
             EXCEPT
             SELECT request_id FROM events WHERE project_id = $1 AND user_id <> $2)`,
        )
        const events = await del('DELETE FROM events WHERE project_id = $1 AND user_id = $2')
        const adversaryEntries = await del(
          'DELETE FROM adversaries WHERE project_id = $1 AND user_id = $2',
        )
        await del('DELETE FROM export_users WHERE project_id = $1 AND user_id = $2')
        // Reviewers' decisions about their corrections hold their text (edited) too.
        const reviewDecisions = await del(
          'DELETE FROM review_decisions WHERE project_id = $1 AND user_id = $2',
        )
        // Webhook events about them (an escalation carries their prompt and comment).
        const webhookDeliveries = await del(
          `DELETE FROM webhook_outbox WHERE project_id = $1 AND payload->'data'->>'userId' = $2`,
        )
        // The stats aggregates hold user ids: rebuilt from the remaining events when next asked.
        await client.query('DELETE FROM stats_snapshots WHERE project_id = $1', [projectId])
        const any =
          events +
            adversaryEntries +
            answerLogEntries +
            reviewDecisions +
            webhookDeliveries +
            exports.length >
          0
        const exportIds = exports.map((e) => e.id)
        const erasureId = any
          ? await logErasure(client, projectId, 'user', at, events, exportIds)
          : 0
        return {
          erasureId,
          events,
          adversaryEntries,
          answerLogEntries,
          webhookDeliveries,
          exports,
        }
      })
      return { ...removed, erasedAt: at.toISOString(), storageCleared: false }
    },

    async deleteEventsBefore(projectId, before, now): Promise<RetentionResult> {
      let events = 0
      for (;;) {
        const { rowCount } = await pool.query(
          `DELETE FROM events WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM events WHERE project_id = $1 AND received_at < $2 LIMIT $3))`,
          [projectId, before, RETENTION_CHUNK_ROWS],
        )
        events += rowCount ?? 0
        if ((rowCount ?? 0) < RETENTION_CHUNK_ROWS) break
      }
      const erasureId =
        events > 0
          ? await inTransaction(pool, async (client) => {
              await client.query('DELETE FROM stats_snapshots WHERE project_id = $1', [projectId])
              return logErasure(client, projectId, 'retention', new Date(now), events, [])
            })
          : null
      return { erasureId, events, before: new Date(before).toISOString(), storageCleared: false }
    },

    async erasureMark(projectId) {
      const { rows } = await pool.query<{ max: string | null }>(
        'SELECT max(id) AS max FROM erasures WHERE project_id = $1',
        [projectId],
      )
      return Number(rows[0]?.max ?? 0)
    },

    async recordExport(projectId, run) {
      const users = [...new Set(run.userIds)].map(pgText)
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<ExportRunRow>(
          `INSERT INTO export_runs (project_id, exported_at, format, range_since, range_until,
             rules, events, records, users, complete, via)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
          [
            projectId,
            new Date(run.exportedAt),
            run.format,
            run.range.since,
            run.range.until,
            JSON.stringify(run.rules),
            run.events,
            run.records,
            users.length,
            run.complete,
            run.via,
          ],
        )
        const record = rows[0]!
        for (let start = 0; start < users.length; start += LINEAGE_ROWS_PER_STATEMENT) {
          await client.query(
            `INSERT INTO export_users (project_id, user_id, export_id)
             SELECT $1, u, $3 FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING`,
            [projectId, users.slice(start, start + LINEAGE_ROWS_PER_STATEMENT), record.id],
          )
        }
        return toExportRun(record)
      })
    },

    async listExports(projectId) {
      const { rows } = await pool.query<ExportRunRow>(
        'SELECT * FROM export_runs WHERE project_id = $1 ORDER BY id DESC',
        [projectId],
      )
      return rows.map(toExportRun)
    },
  }
}
