// Group commit for PostgreSQL: batches that arrive while the database is busy share one INSERT.

import type pg from 'pg'
import { type CommitMessage, commitChannel } from '../observe/channels.ts'
import type { EventRow, InsertResult } from './types.ts'

interface PendingBatch {
  projectId: string
  rows: EventRow[]
  resolve: (result: InsertResult) => void
  reject: (err: unknown) => void
}

/** Options of the group committer. */
export interface GroupCommitOptions {
  /** INSERT statements in flight at once; more batches wait and then share one statement. */
  maxInFlight: number
  /** Rows one statement carries at most. */
  maxRows: number
}

/** A deadlock or serialisation failure: the statement had no effect and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001'])
const MAX_ATTEMPTS = 3

// One statement is one transaction: every row of every batch in it commits (with its fsync)
// or none does. Rows arrive as arrays, so one statement holds any number of them.
const INSERT_SQL = `
  INSERT INTO events (project_id, event_id, signal, request_id, user_id, occurred_at,
    received_at, product_version, payload)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
    $6::bigint[], $7::bigint[], $8::text[], $9::json[])
  ON CONFLICT (project_id, event_id) DO NOTHING
  RETURNING project_id, event_id`

/** PostgreSQL text cannot hold NUL; indexed copies of opaque ids get U+FFFD instead (the payload keeps the original, escaped). */
export const pgText = (s: string) => (s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s)

const keyOf = (projectId: string, eventId: string) => `${projectId}\n${eventId}`

/**
 * Builds `insertEvents` for a pool: each call resolves once its rows are committed, with how
 * many were new; a repeat of an event already stored, or of one earlier in the same statement,
 * counts as a duplicate.
 *
 * @example const insert = createGroupCommit(pool, { maxInFlight: 4, maxRows: 5_000 })
 */
export function createGroupCommit(pool: pg.Pool, options: GroupCommitOptions) {
  let pending: PendingBatch[] = []
  let inFlight = 0
  let scheduled = false
  let idle: (() => void)[] = []

  const schedule = () => {
    if (scheduled || inFlight >= options.maxInFlight || pending.length === 0) {
      if (inFlight === 0 && pending.length === 0 && idle.length > 0) {
        for (const resolve of idle) resolve()
        idle = []
      }
      return
    }
    scheduled = true
    // One turn of the event loop lets every request that is ready join this statement.
    setImmediate(() => {
      scheduled = false
      flush()
    })
  }

  const flush = () => {
    if (inFlight >= options.maxInFlight || pending.length === 0) return schedule()
    let rowCount = 0
    let take = 0
    while (
      take < pending.length &&
      (take === 0 || rowCount + pending[take]!.rows.length <= options.maxRows)
    ) {
      rowCount += pending[take]!.rows.length
      take += 1
    }
    const batches = pending.slice(0, take)
    pending = pending.slice(take)
    inFlight += 1
    const startedAt = performance.now()
    commit(batches)
      .then(
        (results) => {
          if (commitChannel.hasSubscribers) {
            const message: CommitMessage = {
              engine: 'postgres',
              rows: rowCount,
              batches: batches.length,
              ms: performance.now() - startedAt,
            }
            commitChannel.publish(message)
          }
          for (const [i, b] of batches.entries()) b.resolve(results[i]!)
        },
        (err) => {
          for (const b of batches) b.reject(err)
        },
      )
      .finally(() => {
        inFlight -= 1
        schedule()
      })
    schedule()
  }

  const commit = async (batches: PendingBatch[]): Promise<InsertResult[]> => {
    // Sorted by key so that two statements touching the same events lock them in the same
    // order and cannot deadlock; the first copy of a key within the statement wins.
    const unique = new Map<string, { projectId: string; row: EventRow }>()
    for (const b of batches) {
      for (const row of b.rows) {
        const key = keyOf(b.projectId, row.eventId)
        if (!unique.has(key)) unique.set(key, { projectId: b.projectId, row })
      }
    }
    const keys = [...unique.keys()].sort()
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], []]
    for (const key of keys) {
      const { projectId, row } = unique.get(key)!
      columns[0]!.push(projectId)
      columns[1]!.push(row.eventId)
      columns[2]!.push(row.signal)
      columns[3]!.push(pgText(row.requestId))
      columns[4]!.push(pgText(row.userId))
      columns[5]!.push(row.occurredAt)
      columns[6]!.push(row.receivedAt)
      columns[7]!.push(row.productVersion === null ? null : pgText(row.productVersion))
      columns[8]!.push(JSON.stringify(row.event))
    }
    let result: pg.QueryResult<{ project_id: string; event_id: string }> | undefined
    for (let attempt = 1; !result; attempt++) {
      try {
        result = await pool.query(INSERT_SQL, columns)
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has((err as { code?: string }).code ?? '')) {
          throw err
        }
      }
    }
    const fresh = new Set(result.rows.map((r) => keyOf(r.project_id, r.event_id)))
    return batches.map((b) => {
      let inserted = 0
      for (const row of b.rows) {
        const key = keyOf(b.projectId, row.eventId)
        if (fresh.delete(key)) inserted += 1
      }
      return { inserted, duplicates: b.rows.length - inserted }
    })
  }

  return {
    insert(projectId: string, rows: EventRow[]): Promise<InsertResult> {
      if (rows.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 })
      return new Promise((resolve, reject) => {
        pending.push({ projectId, rows, resolve, reject })
        schedule()
      })
    },
    /** Resolves once every batch handed in so far has been answered. */
    drain(): Promise<void> {
      if (inFlight === 0 && pending.length === 0) return Promise.resolve()
      return new Promise((resolve) => {
        idle.push(resolve)
      })
    },
  }
}
