// The scale-out store: PostgreSQL shared by any number of stateless collector processes.

import type { Signal, StoredEvent } from '@tightloop/schema'
import pg from 'pg'
import { postgresAmendEvents } from './amend.ts'
import { postgresAnswerLog } from './postgres-answers.ts'
import { createGroupCommit } from './postgres-insert.ts'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts'
import { postgresPrivacy } from './postgres-privacy.ts'
import { postgresReviewLog } from './postgres-review.ts'
import { postgresWebhooks } from './postgres-webhooks.ts'
import { pickSettings, readSettings } from './project-settings.ts'
import { postgresStatsSnapshots } from './stats-snapshots.ts'
import type {
  AdversaryRecord,
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
/** Ended rate-limit windows are deleted at most this often per process. */
const RATE_SWEEP_EVERY_MS = 60_000
const DEFAULT_MAX_CONNECTIONS = 10
const DEFAULT_MAX_IN_FLIGHT_INSERTS = 4 // more concurrent batches wait and share a statement
const DEFAULT_MAX_ROWS_PER_INSERT = 5_000

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Connections in this process's pool (default 10). */
  maxConnections?: number
  /** INSERT statements in flight at once before batches start sharing one (default 4). */
  maxInFlightInserts?: number
  /** Where errors of idle pooled connections go; defaults to `console.error`. */
  log?: (message: string, err: unknown) => void
}

interface ProjectRow {
  id: string
  name: string
  allowed_origins: string[]
  escalation_reasons: string[]
  ttl_days: number
  scrub_pii: boolean
  auto_ban: boolean
  created_at: Date
  settings: object
}

const toProject = (r: ProjectRow): ProjectRecord => ({
  id: r.id,
  name: r.name,
  allowedOrigins: r.allowed_origins,
  escalationReasons: r.escalation_reasons,
  ttlDays: r.ttl_days,
  scrubPii: r.scrub_pii,
  autoBanAdversaries: r.auto_ban,
  createdAt: r.created_at.toISOString(),
  ...readSettings(r.settings),
})

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/**
 * Connects a pool to PostgreSQL; call `migrate()` once per process before use (it is safe for
 * several processes to do so at once).
 *
 * @example
 * const store = createPostgresStore('postgres://tightloop@db.internal/tightloop')
 * await store.migrate()
 */
export function createPostgresStore(
  connectionString: string,
  options: PostgresStoreOptions = {},
): Store {
  const log = options.log ?? ((message, err) => console.error(message, err))
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  })
  // A connection that dies while idle (database restart) must not take the process down.
  pool.on('error', (err) => log('tightloop: idle PostgreSQL connection failed', err))
  const commits = createGroupCommit(pool, {
    maxInFlight: options.maxInFlightInserts ?? DEFAULT_MAX_IN_FLIGHT_INSERTS,
    maxRows: DEFAULT_MAX_ROWS_PER_INSERT,
  })
  let lastRateSweep = Number.NEGATIVE_INFINITY
  let sweeping: Promise<unknown> = Promise.resolve()
  let closing: Promise<void> | undefined
  const query = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pool.query<R>(sql, params)

  const store: Store = {
    engine: 'postgres',
    // A person's data, erasure and export lineage: see postgres-privacy.ts.
    ...postgresPrivacy(pool),
    ...postgresAnswerLog(pool),
    ...postgresReviewLog(pool),
    ...postgresWebhooks(pool),
    ...postgresStatsSnapshots(pool),

    // One transaction under an advisory lock: a second process waits, then finds every
    // migration applied. The lock is per schema, so test schemas migrate in parallel.
    async migrate() {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `SELECT pg_advisory_xact_lock(hashtext('tightloop:migrate:' || current_schema()))`,
        )
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        )
        const done = new Set(
          (
            await client.query<{ version: number }>('SELECT version FROM schema_migrations')
          ).rows.map((r) => r.version),
        )
        for (const [i, sql] of POSTGRES_MIGRATIONS.entries()) {
          if (done.has(i + 1)) continue
          await client.query(sql)
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1])
        }
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },

    // Answers every batch already handed in, then disconnects; closing twice is harmless.
    close() {
      closing ??= (async () => {
        await commits.drain()
        await sweeping
        await pool.end()
      })()
      return closing
    },

    async createProject(input) {
      const p = { ...projectDefaults(), ...input, id: input.id ?? randomId('prj') }
      await query(
        `INSERT INTO projects (id, name, allowed_origins, escalation_reasons, ttl_days, scrub_pii,
           auto_ban, created_at, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          p.id,
          p.name,
          JSON.stringify(p.allowedOrigins),
          JSON.stringify(p.escalationReasons),
          p.ttlDays,
          p.scrubPii,
          p.autoBanAdversaries,
          new Date(),
          JSON.stringify(pickSettings(p)),
        ],
      )
      return (await store.getProject(p.id))!
    },

    async updateProject(id, patch) {
      const current = await store.getProject(id)
      if (!current) throw new Error(`No project ${id}`)
      const p = { ...current, ...patch }
      await query(
        `UPDATE projects SET name = $1, allowed_origins = $2, escalation_reasons = $3,
           ttl_days = $4, scrub_pii = $5, auto_ban = $6, settings = $7 WHERE id = $8`,
        [
          p.name,
          JSON.stringify(p.allowedOrigins),
          JSON.stringify(p.escalationReasons),
          p.ttlDays,
          p.scrubPii,
          p.autoBanAdversaries,
          JSON.stringify(pickSettings(p)),
          id,
        ],
      )
      return (await store.getProject(id))!
    },

    async getProject(id) {
      const { rows } = await query<ProjectRow>('SELECT * FROM projects WHERE id = $1', [id])
      return rows[0] ? toProject(rows[0]) : null
    },

    async listProjects() {
      const { rows } = await query<ProjectRow>('SELECT * FROM projects ORDER BY created_at, id')
      return rows.map(toProject)
    },

    async addKey(key) {
      await query(
        `INSERT INTO project_keys (lookup, project_id, kind, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (lookup) DO UPDATE SET project_id = excluded.project_id,
           kind = excluded.kind, expires_at = excluded.expires_at`,
        [key.lookup, key.projectId, key.kind, key.expiresAt],
      )
    },

    async expireKeys(projectId, kind, expiresAt) {
      await query(
        `UPDATE project_keys SET expires_at = $3
         WHERE project_id = $1 AND kind = $2 AND (expires_at IS NULL OR expires_at > $3)`,
        [projectId, kind, expiresAt],
      )
    },

    async findKey(lookup) {
      const { rows } = await query<{
        lookup: string
        project_id: string
        kind: KeyRecord['kind']
        expires_at: Date | null
      }>('SELECT lookup, project_id, kind, expires_at FROM project_keys WHERE lookup = $1', [
        lookup,
      ])
      const row = rows[0]
      return row
        ? {
            lookup: row.lookup,
            projectId: row.project_id,
            kind: row.kind,
            expiresAt: iso(row.expires_at),
          }
        : null
    },

    async findKeyWithProject(lookup) {
      const { rows } = await query<
        ProjectRow & { lookup: string; kind: KeyRecord['kind']; expires_at: Date | null }
      >(
        `SELECT k.lookup, k.kind, k.expires_at, p.* FROM project_keys k
         JOIN projects p ON p.id = k.project_id WHERE k.lookup = $1`,
        [lookup],
      )
      const row = rows[0]
      if (!row) return null
      return {
        key: {
          lookup: row.lookup,
          projectId: row.id,
          kind: row.kind,
          expiresAt: iso(row.expires_at),
        },
        project: toProject(row),
      }
    },

    insertEvents: commits.insert,
    amendEvents: postgresAmendEvents(pool),

    // Keyset paging on (received_at, seq): each page is one short query on the index, so a
    // slow reader holds no connection and no snapshot between pages.
    async *streamEvents(projectId, range: TimeRange = {}) {
      let cursorAt = Number.MIN_SAFE_INTEGER
      let cursorSeq = '-1'
      const since = range.since ?? Number.MIN_SAFE_INTEGER
      const until = range.until ?? Number.MAX_SAFE_INTEGER
      for (;;) {
        const { rows } = await query<{ seq: string; received_at: string; payload: unknown }>(
          `SELECT seq, received_at, payload FROM events
           WHERE project_id = $1 AND received_at >= $2 AND received_at < $3
             AND (received_at, seq) > ($4, $5)
           ORDER BY received_at, seq LIMIT $6`,
          [projectId, since, until, cursorAt, cursorSeq, STREAM_PAGE_ROWS],
        )
        for (const row of rows) yield row.payload as StoredEvent
        if (rows.length < STREAM_PAGE_ROWS) return
        const last = rows[rows.length - 1]!
        cursorAt = Number(last.received_at)
        cursorSeq = last.seq
      }
    },

    async *streamEventsSkipping(projectId, skipped, range: TimeRange = {}) {
      let cursorAt = Number.MIN_SAFE_INTEGER
      let cursorSeq = '-1'
      const since = range.since ?? Number.MIN_SAFE_INTEGER
      const until = range.until ?? Number.MAX_SAFE_INTEGER
      for (;;) {
        const { rows } = await query<{
          seq: string
          received_at: string
          signal: Signal
          payload: unknown
        }>(
          `SELECT seq, received_at, signal,
             CASE WHEN signal = ANY($7::text[]) THEN NULL ELSE payload END AS payload
           FROM events
           WHERE project_id = $1 AND received_at >= $2 AND received_at < $3
             AND (received_at, seq) > ($4, $5)
           ORDER BY received_at, seq LIMIT $6`,
          [projectId, since, until, cursorAt, cursorSeq, STREAM_PAGE_ROWS, skipped],
        )
        for (const row of rows) {
          yield row.payload === null
            ? { signal: row.signal, skipped: true as const }
            : (row.payload as StoredEvent)
        }
        if (rows.length < STREAM_PAGE_ROWS) return
        const last = rows[rows.length - 1]!
        cursorAt = Number(last.received_at)
        cursorSeq = last.seq
      }
    },

    async countEvents(projectId) {
      const { rows } = await query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM events WHERE project_id = $1',
        [projectId],
      )
      return rows[0]!.n
    },

    async listAdversaries(projectId) {
      const { rows } = await query<{
        user_id: string
        status: AdversaryRecord['status']
        reason: string
        evidence: Record<string, number>
        created_at: Date
      }>(
        `SELECT user_id, status, reason, evidence, created_at FROM adversaries WHERE project_id = $1
         ORDER BY created_at, user_id`,
        [projectId],
      )
      return rows.map((r) => ({
        userId: r.user_id,
        status: r.status,
        reason: r.reason,
        evidence: r.evidence,
        createdAt: r.created_at.toISOString(),
      }))
    },

    async upsertAdversary(projectId, entry) {
      await query(
        `INSERT INTO adversaries (project_id, user_id, status, reason, evidence, created_at)
         VALUES ($1, $2, $3, $4, coalesce($5::jsonb, '{}'), $6)
         ON CONFLICT (project_id, user_id) DO UPDATE SET status = excluded.status,
           reason = excluded.reason, evidence = coalesce($5::jsonb, adversaries.evidence)`,
        [projectId, entry.userId, entry.status, entry.reason, evidenceText(entry), new Date()],
      )
    },

    async removeAdversary(projectId, userId) {
      const result = await query('DELETE FROM adversaries WHERE project_id = $1 AND user_id = $2', [
        projectId,
        userId,
      ])
      return (result.rowCount ?? 0) > 0
    },

    async listVersionChanges(projectId) {
      const { rows } = await query<{ version: string; changed_at: Date }>(
        `SELECT version, changed_at FROM version_changes WHERE project_id = $1
         ORDER BY changed_at, version`,
        [projectId],
      )
      return rows.map(
        (r): VersionChangeRecord => ({
          version: r.version,
          changedAt: r.changed_at.toISOString(),
        }),
      )
    },

    async addVersionChange(projectId, change) {
      await query(
        `INSERT INTO version_changes (project_id, version, changed_at) VALUES ($1, $2, $3)
         ON CONFLICT (project_id, version) DO UPDATE SET changed_at = excluded.changed_at`,
        [projectId, change.version, change.changedAt],
      )
    },

    async removeVersionChange(projectId, version) {
      const result = await query(
        'DELETE FROM version_changes WHERE project_id = $1 AND version = $2',
        [projectId, version],
      )
      return (result.rowCount ?? 0) > 0
    },

    async addClientDrops(projectId, day, dropped) {
      await query(
        `INSERT INTO client_drops (project_id, day, dropped) VALUES ($1, $2, $3)
         ON CONFLICT (project_id, day) DO UPDATE SET dropped = client_drops.dropped + excluded.dropped`,
        [projectId, day, dropped],
      )
    },

    async listClientDrops(projectId) {
      const { rows } = await query<{ day: string; dropped: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, dropped FROM client_drops
         WHERE project_id = $1 ORDER BY day`,
        [projectId],
      )
      return rows.map((r) => ({ day: r.day, dropped: Number(r.dropped) }))
    },

    async addGateDecision(projectId, decision) {
      const { rows } = await query<{ id: string }>(
        `INSERT INTO gate_decisions (project_id, decided_at, promote, report)
         VALUES ($1, $2, $3, $4) RETURNING id`,
        [projectId, decision.decidedAt, decision.promote, JSON.stringify(decision.report ?? null)],
      )
      return { id: Number(rows[0]!.id), ...decision }
    },

    async listGateDecisions(projectId) {
      const { rows } = await query<{
        id: string
        decided_at: Date
        promote: boolean
        report: unknown
      }>(
        'SELECT id, decided_at, promote, report FROM gate_decisions WHERE project_id = $1 ORDER BY id',
        [projectId],
      )
      return rows.map(
        (r): GateDecisionRecord => ({
          id: Number(r.id),
          decidedAt: r.decided_at.toISOString(),
          promote: r.promote,
          report: r.report,
        }),
      )
    },

    // One upsert per hit, so every process on this database counts in the same row.
    async hitRateLimit(bucket, windowStart, cost, windowMs) {
      const { rows } = await query<{ count: string }>(
        `INSERT INTO rate_limits (bucket, window_start, ends_at, count) VALUES ($1, $2, $3, $4)
         ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + excluded.count
         RETURNING count`,
        [bucket, windowStart, windowStart + windowMs, cost],
      )
      // Windows that are over are swept now and then; the limiter's clock decides what "over"
      // means, so an injected test clock sweeps consistently too.
      const now = Date.now()
      if (now - lastRateSweep >= RATE_SWEEP_EVERY_MS) {
        lastRateSweep = now
        sweeping = query('DELETE FROM rate_limits WHERE ends_at <= $1', [windowStart]).catch(
          (err) => log('tightloop: sweeping rate-limit windows failed', err),
        )
      }
      return Number(rows[0]!.count)
    },
  }
  return store
}
