// A person's data and export lineage in the SQLite store: see it, erase it for good, trace it.
//
// Erasing for good: the main connection runs with `secure_delete` on, so SQLite overwrites
// deleted rows (and freed pages) with zeros; then a TRUNCATE checkpoint copies the WAL into the
// file and empties it, so no older frame still holds the text either.

import type { StoredEvent } from '@tightloop/schema'
import type Database from 'better-sqlite3'
import type {
  ErasureResult,
  ExportRunRecord,
  ExportRunRef,
  PrivacyStore,
  RetentionResult,
} from './privacy-types.ts'
import { restampEvent } from './stamp.ts'

/** Rows per page while streaming one user's events. */
const USER_PAGE_ROWS = 2_000
/** Rows one retention transaction deletes: short enough that ingest never waits long for the write lock. */
const RETENTION_CHUNK_ROWS = 5_000
/** A checkpoint that finds another connection mid-transaction tries again this often… */
const CHECKPOINT_RETRIES = 20
/** …this long apart (so up to 1 s in all). */
const CHECKPOINT_RETRY_MS = 50
/** Lineage rows inserted per statement (3 parameters each, far below SQLite's limit). */
const LINEAGE_ROWS_PER_STATEMENT = 300

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

interface ExportRunRow {
  id: number
  exported_at: string
  format: string
  range_since: string | null
  range_until: string | null
  rules: string
  events: number
  records: number
  users: number
  complete: number
  via: string
}

const toExportRun = (r: ExportRunRow): ExportRunRecord => ({
  id: r.id,
  exportedAt: r.exported_at,
  format: r.format,
  range: { since: r.range_since, until: r.range_until },
  rules: JSON.parse(r.rules),
  events: r.events,
  records: r.records,
  users: r.users,
  complete: r.complete === 1,
  via: r.via,
})

/**
 * The {@link PrivacyStore} methods of a SQLite store, on its main connection (which this turns
 * `secure_delete` on for). `path` is the database file (`:memory:` has no WAL to empty).
 *
 * @example const store = { ...otherMethods, ...sqlitePrivacy(db, path) }
 */
export function sqlitePrivacy(db: Database.Database, path: string): PrivacyStore {
  db.pragma('secure_delete = ON')
  const file = path !== ':memory:'

  /** Copies the WAL into the file and empties it; false when other connections kept it busy. */
  const clearWal = async (): Promise<boolean> => {
    if (!file) return true
    for (let attempt = 0; attempt < CHECKPOINT_RETRIES; attempt++) {
      const [state] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
      if (state?.busy === 0) return true
      await sleep(CHECKPOINT_RETRY_MS)
    }
    return false
  }

  const logErasure = (
    projectId: string,
    kind: string,
    at: string,
    events: number,
    exports: ExportRunRef[],
  ) =>
    Number(
      db
        .prepare(
          'INSERT INTO erasures (project_id, kind, erased_at, events, exports) VALUES (?, ?, ?, ?, ?)',
        )
        .run(projectId, kind, at, events, JSON.stringify(exports.map((e) => e.id))).lastInsertRowid,
    )

  /**
   * Everything stored about one user, removed in one transaction: their events, the answers
   * only their feedback was about, their adversary entry and their export lineage. The one
   * place to extend when a table gains rows a user produces.
   */
  const eraseRows = db.transaction(
    (projectId: string, userId: string, rowids: number[], lastRowid: number, at: string) => {
      const exports = db
        .prepare(
          `SELECT r.id, r.exported_at AS exportedAt, r.format, r.via FROM export_users u
           JOIN export_runs r ON r.id = u.export_id
           WHERE u.project_id = ? AND u.user_id = ? ORDER BY r.id`,
        )
        .all(projectId, userId) as ExportRunRef[]
      // Answers only this user's feedback was about go with it (before the events that say so).
      const answerLogEntries = db
        .prepare(
          `DELETE FROM answers WHERE project_id = @project AND request_id IN (
             SELECT request_id FROM events WHERE project_id = @project AND user_id = @user
             EXCEPT
             SELECT request_id FROM events WHERE project_id = @project AND user_id <> @user)`,
        )
        .run({ project: projectId, user: userId }).changes
      const byRowid = db.prepare('DELETE FROM events WHERE rowid = ? AND user_id = ?')
      let events = 0
      for (const rowid of rowids) events += byRowid.run(rowid, userId).changes
      // Rows stored after the read below were not in `rowids`: they lie past its last rowid.
      events += db
        .prepare('DELETE FROM events WHERE project_id = ? AND user_id = ? AND rowid > ?')
        .run(projectId, userId, lastRowid).changes
      const adversaryEntries = db
        .prepare('DELETE FROM adversaries WHERE project_id = ? AND user_id = ?')
        .run(projectId, userId).changes
      db.prepare('DELETE FROM export_users WHERE project_id = ? AND user_id = ?').run(
        projectId,
        userId,
      )
      // Reviewers' decisions about their corrections hold their text (edited) too.
      const reviewDecisions = db
        .prepare('DELETE FROM review_decisions WHERE project_id = ? AND user_id = ?')
        .run(projectId, userId).changes
      // Webhook events about them (an escalation carries their prompt and comment).
      const webhookDeliveries = db
        .prepare(
          `DELETE FROM webhook_outbox WHERE project_id = ?
           AND json_extract(payload, '$.data.userId') = ?`,
        )
        .run(projectId, userId).changes
      // The stats aggregates hold user ids: rebuilt from the remaining events when next asked.
      db.prepare('DELETE FROM stats_snapshots WHERE project_id = ?').run(projectId)
      const removed =
        events +
        adversaryEntries +
        answerLogEntries +
        reviewDecisions +
        webhookDeliveries +
        exports.length
      const erasureId = removed > 0 ? logErasure(projectId, 'user', at, events, exports) : 0
      return { erasureId, events, adversaryEntries, answerLogEntries, webhookDeliveries, exports }
    },
  )

  const privacy: PrivacyStore = {
    async *streamUserEvents(projectId, userId) {
      const page = db.prepare(
        `SELECT rowid AS seq, occurred_at, received_at, payload FROM events
         WHERE project_id = ? AND user_id = ? AND rowid > ? ORDER BY rowid LIMIT ?`,
      )
      let cursor = 0
      for (;;) {
        const rows = page.all(projectId, userId, cursor, USER_PAGE_ROWS) as {
          seq: number
          occurred_at: number
          received_at: number
          payload: string
        }[]
        for (const row of rows) {
          yield restampEvent(
            JSON.parse(row.payload) as StoredEvent,
            row.occurred_at,
            row.received_at,
          )
        }
        if (rows.length < USER_PAGE_ROWS) return
        cursor = rows[rows.length - 1]!.seq
      }
    },

    async eraseUser(projectId, userId, now): Promise<ErasureResult> {
      const erasedAt = new Date(now).toISOString()
      // Found outside the write transaction: the scan of the project's events (no index by user,
      // which every insert would pay for) never holds the write lock that ingest needs.
      const rowids = db
        .prepare('SELECT rowid FROM events WHERE project_id = ? AND user_id = ? ORDER BY rowid')
        .pluck()
        .all(projectId, userId) as number[]
      const lastRowid = rowids.length > 0 ? rowids[rowids.length - 1]! : 0
      const removed = eraseRows.immediate(projectId, userId, rowids, lastRowid, erasedAt)
      return { ...removed, erasedAt, storageCleared: await clearWal() }
    },

    async deleteEventsBefore(projectId, before, now): Promise<RetentionResult> {
      const chunk = db.prepare(
        `DELETE FROM events WHERE rowid IN (
           SELECT rowid FROM events WHERE project_id = ? AND received_at < ? LIMIT ?)`,
      )
      let events = 0
      for (;;) {
        const n = chunk.run(projectId, before, RETENTION_CHUNK_ROWS).changes
        events += n
        if (n < RETENTION_CHUNK_ROWS) break
        await sleep(0) // let ingest commit between chunks
      }
      const at = new Date(now).toISOString()
      if (events > 0) db.prepare('DELETE FROM stats_snapshots WHERE project_id = ?').run(projectId)
      const erasureId = events > 0 ? logErasure(projectId, 'retention', at, events, []) : null
      return {
        erasureId,
        events,
        before: new Date(before).toISOString(),
        storageCleared: events > 0 ? await clearWal() : true,
      }
    },

    async erasureMark(projectId) {
      return (
        (db.prepare('SELECT max(id) FROM erasures WHERE project_id = ?').pluck().get(projectId) as
          | number
          | null) ?? 0
      )
    },

    async recordExport(projectId, run) {
      const users = [...new Set(run.userIds)]
      const record = db.transaction(() => {
        const id = Number(
          db
            .prepare(
              `INSERT INTO export_runs (project_id, exported_at, format, range_since, range_until,
                 rules, events, records, users, complete, via)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              projectId,
              run.exportedAt,
              run.format,
              run.range.since,
              run.range.until,
              JSON.stringify(run.rules),
              run.events,
              run.records,
              users.length,
              run.complete ? 1 : 0,
              run.via,
            ).lastInsertRowid,
        )
        for (let start = 0; start < users.length; start += LINEAGE_ROWS_PER_STATEMENT) {
          const part = users.slice(start, start + LINEAGE_ROWS_PER_STATEMENT)
          db.prepare(
            `INSERT INTO export_users (project_id, user_id, export_id) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
          ).run(part.flatMap((user) => [projectId, user, id]))
        }
        return id
      })
      const id = record.immediate()
      return toExportRun(
        db.prepare('SELECT * FROM export_runs WHERE id = ?').get(id) as ExportRunRow,
      )
    },

    async listExports(projectId) {
      return (
        db
          .prepare('SELECT * FROM export_runs WHERE project_id = ? ORDER BY id DESC')
          .all(projectId) as ExportRunRow[]
      ).map(toExportRun)
    },
  }
  return privacy
}
