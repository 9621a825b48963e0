// Thumbs-down amendments: the reasons a user gives after the vote, merged into the vote's row.
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { pgText } from './postgres-insert.ts'
import type { EventRow } from './types.ts'

/** The fields an amendment carries to the vote it amends; absent ones are removed there. */
const AMENDED = ['comment', 'metadata'] as const

/**
 * The stored payload of the amended vote: its own fields, with `comment` and `metadata` those
 * of the amendment (the latest reasons win; an amendment without them withdraws them).
 */
export function amendedPayload(
  stored: Record<string, unknown>,
  amendment: Record<string, unknown>,
): Record<string, unknown> {
  const payload = { ...stored }
  for (const field of AMENDED) {
    if (amendment[field] === undefined) delete payload[field]
    else payload[field] = amendment[field]
  }
  return payload
}

/** The row an amendment may merge into: a thumbs_down of the same user and answer. */
const mayAmend = (
  stored: { signal: string; user_id: string; request_id: string },
  row: EventRow,
  text: (s: string) => string = (s) => s,
) =>
  stored.signal === 'thumbs_down' &&
  stored.user_id === text(row.userId) &&
  stored.request_id === text(row.requestId)

/** `Store.amendEvents` on SQLite: one transaction per call, on the store's own connection. */
export function sqliteAmendEvents(db: Database.Database) {
  let statements:
    | { insert: Database.Statement; find: Database.Statement; update: Database.Statement }
    | undefined
  const amend = db.transaction((projectId: string, rows: EventRow[]) => {
    statements ??= {
      insert: db.prepare(
        `INSERT INTO events (project_id, event_id, signal, request_id, user_id, occurred_at,
           received_at, product_version, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, event_id) DO NOTHING`,
      ),
      find: db.prepare(
        `SELECT signal, user_id, request_id, payload FROM events
         WHERE project_id = ? AND event_id = ?`,
      ),
      update: db.prepare('UPDATE events SET payload = ? WHERE project_id = ? AND event_id = ?'),
    }
    const { insert, find, update } = statements
    return rows.map((row) => {
      const inserted = insert.run(
        projectId,
        row.eventId,
        row.signal,
        row.requestId,
        row.userId,
        row.occurredAt,
        row.receivedAt,
        row.productVersion,
        JSON.stringify(row.event),
      ).changes
      if (inserted) return true
      const stored = find.get(projectId, row.eventId) as
        | { signal: string; user_id: string; request_id: string; payload: string }
        | undefined
      if (!stored || !mayAmend(stored, row)) return false
      // The payload may be the client's own text, unstamped: it stays so (read restamps it).
      const payload = amendedPayload(JSON.parse(stored.payload), { ...row.event })
      update.run(JSON.stringify(payload), projectId, row.eventId)
      return true
    })
  })
  return async (projectId: string, rows: EventRow[]): Promise<boolean[]> =>
    rows.length === 0 ? [] : amend.immediate(projectId, rows)
}

/** `Store.amendEvents` on PostgreSQL: one transaction per call, the amended row locked. */
export function postgresAmendEvents(pool: pg.Pool) {
  return async (projectId: string, rows: EventRow[]): Promise<boolean[]> => {
    if (rows.length === 0) return []
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const applied: boolean[] = []
      for (const row of rows) {
        const inserted = await client.query(
          `INSERT INTO events (project_id, event_id, signal, request_id, user_id, occurred_at,
             received_at, product_version, payload)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)
           ON CONFLICT (project_id, event_id) DO NOTHING`,
          [
            projectId,
            row.eventId,
            row.signal,
            pgText(row.requestId),
            pgText(row.userId),
            row.occurredAt,
            row.receivedAt,
            row.productVersion === null ? null : pgText(row.productVersion),
            JSON.stringify(row.event),
          ],
        )
        if (inserted.rowCount) {
          applied.push(true)
          continue
        }
        const { rows: found } = await client.query<{
          signal: string
          user_id: string
          request_id: string
          payload: Record<string, unknown>
        }>(
          `SELECT signal, user_id, request_id, payload FROM events
           WHERE project_id = $1 AND event_id = $2 FOR UPDATE`,
          [projectId, row.eventId],
        )
        const stored = found[0]
        if (!stored || !mayAmend(stored, row, pgText)) {
          applied.push(false)
          continue
        }
        await client.query(
          'UPDATE events SET payload = $1::json WHERE project_id = $2 AND event_id = $3',
          [
            JSON.stringify(amendedPayload(stored.payload, { ...row.event })),
            projectId,
            row.eventId,
          ],
        )
        applied.push(true)
      }
      await client.query('COMMIT')
      return applied
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
}
