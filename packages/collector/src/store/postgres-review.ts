// The review log on PostgreSQL, shared by every collector process.
import type { StoredEvent } from '@tightloop/schema'
import type pg from 'pg'
import { pgText } from './postgres-insert.ts'
import type { ReviewLogStore } from './review-log.ts'
import { fromReviewRow } from './sqlite-review.ts'

const UNIQUE_VIOLATION = '23505'

/**
 * The review methods of the PostgreSQL store. A decision inserts version n + 1 only while the
 * item's latest version is n; two reviewers deciding at once collide on the primary key and
 * the second gets `stale`.
 *
 * @example const store = { ...otherMethods, ...postgresReviewLog(pool) }
 */
export function postgresReviewLog(pool: pg.Pool): ReviewLogStore {
  const latestVersion = async (projectId: string, itemId: string) => {
    const { rows } = await pool.query<{ v: number }>(
      'SELECT coalesce(max(version), 0)::int AS v FROM review_decisions WHERE project_id = $1 AND item_id = $2',
      [projectId, itemId],
    )
    return rows[0]!.v
  }
  return {
    async addReviewDecision(projectId, d, expectedVersion) {
      try {
        const { rowCount } = await pool.query(
          `INSERT INTO review_decisions
             (project_id, item_id, version, user_id, decision, text, reviewer, note, decided_at)
           SELECT $1, $2, $3 + 1, $4, $5, $6, $7, $8, $9
           WHERE (SELECT coalesce(max(version), 0) FROM review_decisions
                  WHERE project_id = $1 AND item_id = $2) = $3`,
          [
            projectId,
            d.itemId,
            expectedVersion,
            d.userId,
            d.decision,
            d.text ?? null,
            d.reviewer,
            d.note ?? null,
            d.decidedAt,
          ],
        )
        if (rowCount === 1) return { stored: { ...d, version: expectedVersion + 1 } }
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error
      }
      return { stale: await latestVersion(projectId, d.itemId) }
    },

    async latestReviewDecisions(projectId) {
      const { rows } = await pool.query(
        `SELECT DISTINCT ON (item_id) * FROM review_decisions WHERE project_id = $1
         ORDER BY item_id, version DESC`,
        [projectId],
      )
      return rows
        .map(fromReviewRow)
        .sort((a, b) => a.decidedAt - b.decidedAt || a.itemId.localeCompare(b.itemId))
    },

    async findEvent(projectId, eventId) {
      const { rows } = await pool.query<{ payload: unknown }>(
        'SELECT payload FROM events WHERE project_id = $1 AND event_id = $2',
        [projectId, pgText(eventId)],
      )
      return (rows[0]?.payload as StoredEvent | undefined) ?? null
    },

    async reviewHistory(projectId, itemId) {
      const { rows } = await pool.query(
        'SELECT * FROM review_decisions WHERE project_id = $1 AND item_id = $2 ORDER BY version',
        [projectId, itemId],
      )
      return rows.map(fromReviewRow)
    },
  }
}
