// The embedded default store: one SQLite file in WAL mode, group commit (see sqlite-writer.ts).

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Signal, StoredEvent } from '@tightloop/schema'
import Database from 'better-sqlite3'
import { sqliteAmendEvents } from './amend.ts'
import { pickSettings, readSettings } from './project-settings.ts'
import { sqliteAnswerLog } from './sqlite-answers.ts'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { sqlitePrivacy } from './sqlite-privacy.ts'
import { sqliteReviewLog } from './sqlite-review.ts'
import { sqliteWebhooks } from './sqlite-webhooks.ts'
import { createEventWriter } from './sqlite-writer.ts'
import { restampEvent } from './stamp.ts'
import { sqliteStatsSnapshots } from './stats-snapshots.ts'
import type {
  AdversaryRecord,
  ClientDropsRecord,
  GateDecisionRecord,
  KeyRecord,
  ProjectRecord,
  Store,
  TimeRange,
  VersionChangeRecord,
} from './types.ts'
import { evidenceText, projectDefaults, randomId } from './util.ts'

/** Rows fetched per page while streaming, so an export never holds the table in memory. */
const STREAM_PAGE_ROWS = 2_000
/** Past this many live rate-limit windows, the ones that are over are swept out. */
const RATE_WINDOW_SWEEP_SIZE = 10_000

interface ProjectRow {
  id: string
  name: string
  allowed_origins: string
  escalation_reasons: string
  ttl_days: number
  scrub_pii: number
  auto_ban: number
  created_at: string
  settings: string
}

const toProject = (r: ProjectRow): ProjectRecord => ({
  id: r.id,
  name: r.name,
  allowedOrigins: JSON.parse(r.allowed_origins),
  escalationReasons: JSON.parse(r.escalation_reasons),
  ttlDays: r.ttl_days,
  scrubPii: r.scrub_pii === 1,
  autoBanAdversaries: r.auto_ban === 1,
  createdAt: r.created_at,
  ...readSettings(r.settings),
})

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /**
   * `FULL` (default) syncs the WAL on every commit, so an accepted batch survives a power
   * loss; `NORMAL` survives a process crash only. Group commit keeps `FULL` fast.
   */
  synchronous?: 'FULL' | 'NORMAL'
}

/** A stored payload as an event: the writer keeps most as the client's own text (unstamped). */
const readPayload = (payload: string, occurredAt: number, receivedAt: number): StoredEvent =>
  restampEvent(JSON.parse(payload) as StoredEvent, occurredAt, receivedAt)

/**
 * Opens (and creates) the SQLite database at `path`; `:memory:` works for tests.
 *
 * @example const store = createSqliteStore('./data/tightloop.db'); await store.migrate()
 */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')

  const writer = createEventWriter(db, path, options.synchronous ?? 'FULL')
  // Every request looks its key and project up: prepared once, not per call.
  let findKeyStmt: Database.Statement | undefined
  let getProjectStmt: Database.Statement | undefined
  let findKeyWithProjectStmt: Database.Statement | undefined
  /**
   * Key lookups of the current turn of the event loop. Requests read from their sockets in the
   * same turn share one lookup: one read transaction instead of one each, which is most of
   * what a batch of one event costs beyond the HTTP work (commits on the event writer's own
   * connections make every new read transaction fetch its pages again). Dropped when the turn ends, and at once
   * when this store changes a key or a project, so a key revoked or a project changed by any
   * process holds for every request that arrives after.
   */
  let turnKeys: Map<string, { key: KeyRecord; project: ProjectRecord } | null> | undefined
  const forgetKeys = () => {
    turnKeys = undefined
  }
  const rateWindows = new Map<string, { count: number; endsAt: number }>()
  let sweepAtSize = RATE_WINDOW_SWEEP_SIZE

  const store: Store = {
    engine: 'sqlite',
    // A person's data, erasure and export lineage (secure delete): see sqlite-privacy.ts.
    ...sqlitePrivacy(db, path),
    ...sqliteAnswerLog(db),
    ...sqliteReviewLog(db),
    ...sqliteWebhooks(db),
    ...sqliteStatsSnapshots(db),

    async migrate() {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)')
      const done = new Set(
        db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
      )
      SQLITE_MIGRATIONS.forEach((sql, i) => {
        if (done.has(i + 1)) return
        db.transaction(() => {
          db.exec(sql)
          db.prepare('INSERT INTO schema_migrations (version) VALUES (?)').run(i + 1)
        })()
      })
    },

    async close() {
      await writer.close()
      db.close()
    },

    async createProject(input) {
      const p = { ...projectDefaults(), ...input, id: input.id ?? randomId('prj') }
      db.prepare(
        `INSERT INTO projects (id, name, allowed_origins, escalation_reasons, ttl_days, scrub_pii, auto_ban, created_at, settings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        p.id,
        p.name,
        JSON.stringify(p.allowedOrigins),
        JSON.stringify(p.escalationReasons),
        p.ttlDays,
        p.scrubPii ? 1 : 0,
        p.autoBanAdversaries ? 1 : 0,
        new Date().toISOString(),
        JSON.stringify(pickSettings(p)),
      )
      return (await store.getProject(p.id))!
    },

    async updateProject(id, patch) {
      forgetKeys()
      const current = await store.getProject(id)
      if (!current) throw new Error(`No project ${id}`)
      const p = { ...current, ...patch }
      db.prepare(
        `UPDATE projects SET name = ?, allowed_origins = ?, escalation_reasons = ?, ttl_days = ?,
           scrub_pii = ?, auto_ban = ?, settings = ? WHERE id = ?`,
      ).run(
        p.name,
        JSON.stringify(p.allowedOrigins),
        JSON.stringify(p.escalationReasons),
        p.ttlDays,
        p.scrubPii ? 1 : 0,
        p.autoBanAdversaries ? 1 : 0,
        JSON.stringify(pickSettings(p)),
        id,
      )
      return (await store.getProject(id))!
    },

    async getProject(id) {
      getProjectStmt ??= db.prepare('SELECT * FROM projects WHERE id = ?')
      const row = getProjectStmt.get(id) as ProjectRow | undefined
      return row ? toProject(row) : null
    },

    async listProjects() {
      return (db.prepare('SELECT * FROM projects ORDER BY created_at').all() as ProjectRow[]).map(
        toProject,
      )
    },

    async addKey(key) {
      forgetKeys()
      db.prepare(
        `INSERT INTO project_keys (lookup, project_id, kind, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (lookup) DO UPDATE SET project_id = excluded.project_id, kind = excluded.kind,
           expires_at = excluded.expires_at`,
      ).run(key.lookup, key.projectId, key.kind, key.expiresAt)
    },

    async expireKeys(projectId, kind, expiresAt) {
      forgetKeys()
      db.prepare(
        `UPDATE project_keys SET expires_at = ?
         WHERE project_id = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)`,
      ).run(expiresAt, projectId, kind, expiresAt)
    },

    async findKey(lookup) {
      findKeyStmt ??= db.prepare(
        'SELECT lookup, project_id, kind, expires_at FROM project_keys WHERE lookup = ?',
      )
      const row = findKeyStmt.get(lookup) as
        | { lookup: string; project_id: string; kind: KeyRecord['kind']; expires_at: string | null }
        | undefined
      return row
        ? {
            lookup: row.lookup,
            projectId: row.project_id,
            kind: row.kind,
            expiresAt: row.expires_at,
          }
        : null
    },

    async findKeyWithProject(lookup) {
      const seen = turnKeys?.get(lookup)
      if (seen !== undefined) return seen
      if (!turnKeys) {
        turnKeys = new Map()
        setImmediate(forgetKeys)
      }
      findKeyWithProjectStmt ??= db.prepare(
        `SELECT k.lookup, k.kind, k.expires_at, p.* FROM project_keys k
         JOIN projects p ON p.id = k.project_id WHERE k.lookup = ?`,
      )
      const row = findKeyWithProjectStmt.get(lookup) as
        | (ProjectRow & { lookup: string; kind: KeyRecord['kind']; expires_at: string | null })
        | undefined
      const found = row
        ? {
            key: {
              lookup: row.lookup,
              projectId: row.id,
              kind: row.kind,
              expiresAt: row.expires_at,
            },
            project: toProject(row),
          }
        : null
      turnKeys.set(lookup, found)
      return found
    },

    insertEvents: (projectId, rows, source) => writer.insert(projectId, rows, source),
    amendEvents: sqliteAmendEvents(db),

    async *streamEvents(projectId, range: TimeRange = {}) {
      const page = db.prepare(
        `SELECT rowid AS seq, occurred_at, received_at, payload FROM events
         WHERE project_id = ? AND received_at >= ? AND received_at < ?
           AND (received_at > ? OR (received_at = ? AND rowid > ?))
         ORDER BY received_at, rowid LIMIT ?`,
      )
      let cursorAt = Number.MIN_SAFE_INTEGER
      let cursorSeq = -1
      const since = range.since ?? 0
      const until = range.until ?? Number.MAX_SAFE_INTEGER
      for (;;) {
        // The lower bound moves with the cursor so each page starts where the last one
        // ended in the index; with a fixed `since` every page rescanned the rows before it.
        const rows = page.all(
          projectId,
          Math.max(since, cursorAt),
          until,
          cursorAt,
          cursorAt,
          cursorSeq,
          STREAM_PAGE_ROWS,
        ) as { seq: number; occurred_at: number; received_at: number; payload: string }[]
        for (const row of rows) yield readPayload(row.payload, row.occurred_at, row.received_at)
        if (rows.length < STREAM_PAGE_ROWS) return
        const last = rows[rows.length - 1]!
        cursorAt = last.received_at
        cursorSeq = last.seq
      }
    },

    async *streamEventsSkipping(projectId, skipped, range: TimeRange = {}) {
      // The skipped signals are inlined as parameters: at most the eight signals there are.
      const marks = skipped.map(() => '?').join(', ') || "''"
      const page = db
        .prepare(
          `SELECT rowid AS seq, received_at, signal,
             CASE WHEN signal IN (${marks}) THEN NULL ELSE payload END AS payload, occurred_at
           FROM events
           WHERE project_id = ? AND received_at >= ? AND received_at < ?
             AND (received_at > ? OR (received_at = ? AND rowid > ?))
           ORDER BY received_at, rowid LIMIT ?`,
        )
        .raw()
      let cursorAt = Number.MIN_SAFE_INTEGER
      let cursorSeq = -1
      const since = range.since ?? 0
      const until = range.until ?? Number.MAX_SAFE_INTEGER
      for (;;) {
        const rows = page.all(
          ...skipped,
          projectId,
          Math.max(since, cursorAt),
          until,
          cursorAt,
          cursorAt,
          cursorSeq,
          STREAM_PAGE_ROWS,
        ) as [number, number, Signal, string | null, number][]
        for (const [, receivedAt, signal, payload, occurredAt] of rows) {
          yield payload === null
            ? { signal, skipped: true as const }
            : readPayload(payload, occurredAt, receivedAt)
        }
        if (rows.length < STREAM_PAGE_ROWS) return
        const last = rows[rows.length - 1]!
        cursorAt = last[1]
        cursorSeq = last[0]
      }
    },

    async countEvents(projectId) {
      return db
        .prepare('SELECT count(*) FROM events WHERE project_id = ?')
        .pluck()
        .get(projectId) as number
    },

    async listAdversaries(projectId) {
      return (
        db
          .prepare(
            'SELECT user_id, status, reason, evidence, created_at FROM adversaries WHERE project_id = ? ORDER BY created_at, user_id',
          )
          .all(projectId) as {
          user_id: string
          status: AdversaryRecord['status']
          reason: string
          evidence: string
          created_at: string
        }[]
      ).map((r) => ({
        userId: r.user_id,
        status: r.status,
        reason: r.reason,
        evidence: JSON.parse(r.evidence) as Record<string, number>,
        createdAt: r.created_at,
      }))
    },

    async upsertAdversary(projectId, entry) {
      db.prepare(
        `INSERT INTO adversaries (project_id, user_id, status, reason, evidence, created_at)
         VALUES (?, ?, ?, ?, coalesce(?, '{}'), ?)
         ON CONFLICT (project_id, user_id) DO UPDATE SET status = excluded.status,
           reason = excluded.reason, evidence = coalesce(?, adversaries.evidence)`,
      ).run(
        projectId,
        entry.userId,
        entry.status,
        entry.reason,
        evidenceText(entry),
        new Date().toISOString(),
        evidenceText(entry),
      )
    },

    async removeAdversary(projectId, userId) {
      return (
        db
          .prepare('DELETE FROM adversaries WHERE project_id = ? AND user_id = ?')
          .run(projectId, userId).changes > 0
      )
    },

    async listVersionChanges(projectId) {
      return db
        .prepare(
          'SELECT version, changed_at AS changedAt FROM version_changes WHERE project_id = ? ORDER BY changed_at',
        )
        .all(projectId) as VersionChangeRecord[]
    },

    async addVersionChange(projectId, change) {
      db.prepare(
        `INSERT INTO version_changes (project_id, version, changed_at) VALUES (?, ?, ?)
         ON CONFLICT (project_id, version) DO UPDATE SET changed_at = excluded.changed_at`,
      ).run(projectId, change.version, change.changedAt)
    },

    async removeVersionChange(projectId, version) {
      return (
        db
          .prepare('DELETE FROM version_changes WHERE project_id = ? AND version = ?')
          .run(projectId, version).changes > 0
      )
    },

    async addClientDrops(projectId, day, dropped) {
      db.prepare(
        `INSERT INTO client_drops (project_id, day, dropped) VALUES (?, ?, ?)
         ON CONFLICT (project_id, day) DO UPDATE SET dropped = dropped + excluded.dropped`,
      ).run(projectId, day, dropped)
    },

    async listClientDrops(projectId) {
      return db
        .prepare('SELECT day, dropped FROM client_drops WHERE project_id = ? ORDER BY day')
        .all(projectId) as ClientDropsRecord[]
    },

    async addGateDecision(projectId, decision) {
      const info = db
        .prepare(
          'INSERT INTO gate_decisions (project_id, decided_at, promote, report) VALUES (?, ?, ?, ?)',
        )
        .run(
          projectId,
          decision.decidedAt,
          decision.promote ? 1 : 0,
          JSON.stringify(decision.report),
        )
      return { id: Number(info.lastInsertRowid), ...decision }
    },

    async listGateDecisions(projectId) {
      return (
        db
          .prepare(
            'SELECT id, decided_at, promote, report FROM gate_decisions WHERE project_id = ? ORDER BY id',
          )
          .all(projectId) as { id: number; decided_at: string; promote: number; report: string }[]
      ).map(
        (r): GateDecisionRecord => ({
          id: r.id,
          decidedAt: r.decided_at,
          promote: r.promote === 1,
          report: JSON.parse(r.report),
        }),
      )
    },

    // An embedded SQLite collector is one process, so its windows live in memory: writing
    // a counter per request would cost a transaction each. PostgreSQL shares them.
    // A window is swept only once it is over, so a long quota window survives beside short ones.
    async hitRateLimit(bucket, windowStart, cost, windowMs) {
      const key = `${windowStart}:${bucket}`
      const window = rateWindows.get(key)
      if (window) {
        window.count += cost
        return window.count
      }
      if (rateWindows.size >= sweepAtSize) {
        for (const [k, w] of rateWindows) if (w.endsAt <= windowStart) rateWindows.delete(k)
        // Doubling keeps sweeps amortised O(1) even when every window is still live.
        sweepAtSize = Math.max(RATE_WINDOW_SWEEP_SIZE, 2 * rateWindows.size)
      }
      rateWindows.set(key, { count: cost, endsAt: windowStart + windowMs })
      return cost
    },
  }
  return store
}
