// The stats aggregates a collector built, kept in the store so that a restart, another
// process or `tightloop seed` does not make the next dashboard visit read every event again.
// One row per project, replaced whole; a derived cache: deleting it loses nothing.
import type Database from 'better-sqlite3'
import type pg from 'pg'

/** A project's settled stats aggregates, as `stats-aggregates.ts` writes and validates them. */
export interface StatsSnapshotRecord {
  /** The layout of `body`; a reader ignores a snapshot of another format. */
  format: number
  /** The project's erasure mark when it was built: a later erasure makes it useless. */
  erasureMark: number
  /** Events received before this (ms) are folded in. */
  until: number
  /** How many events are folded in. */
  events: number
  /** The aggregates, gzipped JSON. Holds user ids: an erasure deletes the row. */
  body: Buffer
  writtenAt: number
}

/** Where stats snapshots are kept. */
export interface StatsSnapshotStore {
  readStatsSnapshot(projectId: string): Promise<StatsSnapshotRecord | null>
  /** Replaces the project's snapshot. */
  writeStatsSnapshot(projectId: string, snapshot: StatsSnapshotRecord): Promise<void>
}

interface SnapshotRow {
  format: number
  erasure_mark: number | string
  settled_until: number | string
  events: number | string
  body: Buffer
  written_at: number | string
}

const toRecord = (r: SnapshotRow): StatsSnapshotRecord => ({
  format: Number(r.format),
  erasureMark: Number(r.erasure_mark),
  until: Number(r.settled_until),
  events: Number(r.events),
  body: r.body,
  writtenAt: Number(r.written_at),
})

const UPSERT = `INSERT INTO stats_snapshots
    (project_id, format, erasure_mark, settled_until, events, body, written_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (project_id) DO UPDATE SET format = excluded.format,
    erasure_mark = excluded.erasure_mark, settled_until = excluded.settled_until, events = excluded.events,
    body = excluded.body, written_at = excluded.written_at`

const params = (projectId: string, s: StatsSnapshotRecord) => [
  projectId,
  s.format,
  s.erasureMark,
  s.until,
  s.events,
  s.body,
  s.writtenAt,
]

/**
 * The snapshot methods of the SQLite store.
 *
 * @example const store = { ...otherMethods, ...sqliteStatsSnapshots(db) }
 */
export function sqliteStatsSnapshots(db: Database.Database): StatsSnapshotStore {
  return {
    async readStatsSnapshot(projectId) {
      const row = db.prepare('SELECT * FROM stats_snapshots WHERE project_id = ?').get(projectId) as
        | SnapshotRow
        | undefined
      return row ? toRecord(row) : null
    },
    async writeStatsSnapshot(projectId, snapshot) {
      db.prepare(UPSERT.replace(/\$\d/g, '?')).run(...params(projectId, snapshot))
    },
  }
}

/**
 * The snapshot methods of the PostgreSQL store.
 *
 * @example const store = { ...otherMethods, ...postgresStatsSnapshots(pool) }
 */
export function postgresStatsSnapshots(pool: pg.Pool): StatsSnapshotStore {
  return {
    async readStatsSnapshot(projectId) {
      const { rows } = await pool.query<SnapshotRow>(
        'SELECT * FROM stats_snapshots WHERE project_id = $1',
        [projectId],
      )
      return rows[0] ? toRecord(rows[0]) : null
    },
    async writeStatsSnapshot(projectId, snapshot) {
      await pool.query(UPSERT, params(projectId, snapshot))
    },
  }
}
