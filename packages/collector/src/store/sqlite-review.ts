// The review log on SQLite, on the store's own connection (synchronous=FULL: a decision is
// durable when the call resolves).
import type { StoredEvent } from '@tightloop/schema'
import type Database from 'better-sqlite3'
import type { ReviewDecision, ReviewLogStore } from './review-log.ts'
import { restampEvent } from './stamp.ts'

interface Row {
  item_id: string
  version: number
  user_id: string
  decision: ReviewDecision['decision']
  text: string | null
  reviewer: string
  note: string | null
  decided_at: number
}

export const fromReviewRow = (row: Row): ReviewDecision => ({
  itemId: row.item_id,
  version: Number(row.version),
  userId: row.user_id,
  decision: row.decision,
  ...(row.text !== null && { text: row.text }),
  reviewer: row.reviewer,
  ...(row.note !== null && { note: row.note }),
  decidedAt: Number(row.decided_at),
})

/**
 * The review methods of the SQLite store. A decision is one INSERT whose SELECT checks the
 * item's latest version: it stores nothing unless that is still the version the reviewer saw.
 *
 * @example const store = { ...otherMethods, ...sqliteReviewLog(db) }
 */
export function sqliteReviewLog(db: Database.Database): ReviewLogStore {
  const latestVersion = (projectId: string, itemId: string) =>
    db
      .prepare(
        'SELECT coalesce(max(version), 0) FROM review_decisions WHERE project_id = ? AND item_id = ?',
      )
      .pluck()
      .get(projectId, itemId) as number
  return {
    async addReviewDecision(projectId, d, expectedVersion) {
      const add = db.transaction(() => {
        const current = latestVersion(projectId, d.itemId)
        if (current !== expectedVersion) return { stale: current }
        db.prepare(
          `INSERT INTO review_decisions
             (project_id, item_id, version, user_id, decision, text, reviewer, note, decided_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          projectId,
          d.itemId,
          current + 1,
          d.userId,
          d.decision,
          d.text ?? null,
          d.reviewer,
          d.note ?? null,
          d.decidedAt,
        )
        return { stored: { ...d, version: current + 1 } }
      })
      return add.immediate()
    },

    async latestReviewDecisions(projectId) {
      const rows = db
        .prepare(
          `SELECT r.* FROM review_decisions r
           JOIN (SELECT item_id, max(version) AS version FROM review_decisions
                 WHERE project_id = ? GROUP BY item_id) latest
             ON latest.item_id = r.item_id AND latest.version = r.version
           WHERE r.project_id = ? ORDER BY r.decided_at, r.item_id`,
        )
        .all(projectId, projectId) as Row[]
      return rows.map(fromReviewRow)
    },

    async findEvent(projectId, eventId) {
      const row = db
        .prepare(
          'SELECT occurred_at, received_at, payload FROM events WHERE project_id = ? AND event_id = ?',
        )
        .get(projectId, eventId) as
        | { occurred_at: number; received_at: number; payload: string }
        | undefined
      if (!row) return null
      const event = JSON.parse(row.payload) as StoredEvent
      return restampEvent(event, row.occurred_at, row.received_at)
    },

    async reviewHistory(projectId, itemId) {
      const rows = db
        .prepare(
          'SELECT * FROM review_decisions WHERE project_id = ? AND item_id = ? ORDER BY version',
        )
        .all(projectId, itemId) as Row[]
      return rows.map(fromReviewRow)
    },
  }
}
