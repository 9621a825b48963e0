// What a store keeps to honour a person's rights (see, erase) and to trace exported data back.
import type { StoredEvent } from '@tightloop/schema'

/** One export run as recorded for lineage: enough to know which datasets to rebuild. */
export interface ExportRunRecord {
  id: number
  exportedAt: string
  format: string
  /** The `since`/`until` asked for (ISO-8601), null = unbounded. */
  range: { since: string | null; until: string | null }
  /** The rules it ran under, as the export's report states them. */
  rules: unknown
  /** Events read, and NDJSON records written. */
  events: number
  records: number
  /** Distinct users whose events gave at least one written record. */
  users: number
  /** False when the reader stopped before the end (a closed stdout, a dropped connection). */
  complete: boolean
  /** `http` or `cli`. */
  via: string
}

/** What an export run hands to `Store.recordExport`. */
export type ExportRunInput = Omit<ExportRunRecord, 'id' | 'users'> & {
  /** Every user whose events gave at least one written record. */
  userIds: Iterable<string>
}

/** The export runs an erasure touched, as an erasure answers them. */
export type ExportRunRef = Pick<ExportRunRecord, 'id' | 'exportedAt' | 'format' | 'via'>

/** What one erasure removed. */
export interface ErasureResult {
  /** Its entry in the erasure log (no user id is kept there). */
  erasureId: number
  erasedAt: string
  /** Raw events deleted. */
  events: number
  /** Adversary-list entries deleted (a user id and the reason it was flagged). */
  adversaryEntries: number
  /** Answer-log entries deleted: those only this user's feedback referred to (0 until the store has an answer log). */
  answerLogEntries: number
  /** Webhook deliveries (sent or waiting) whose event was about this user: their copies are gone. */
  webhookDeliveries: number
  /** Earlier exports that held the user's events: datasets and models to rebuild. */
  exports: ExportRunRef[]
  /**
   * SQLite: the deleted text was overwritten in the database file and the WAL was emptied
   * (false when another connection held it and a later checkpoint will). PostgreSQL: always
   * false, the rows are gone from every query at once but their bytes stay in dead tuples
   * until VACUUM reuses them (see README, Security and privacy).
   */
  storageCleared: boolean
}

/** What a retention run removed. */
export interface RetentionResult {
  erasureId: number | null
  /** Raw events received before `before` that were deleted. */
  events: number
  before: string
  storageCleared: boolean
}

/**
 * A person's data and the export lineage, in every store.
 *
 * @example for await (const e of store.streamUserEvents(projectId, 'u-1')) out.write(JSON.stringify(e))
 */
export interface PrivacyStore {
  /** Every raw event of one user in `receivedAt` order, paged, never all in memory. */
  streamUserEvents(projectId: string, userId: string): AsyncIterable<StoredEvent>
  /**
   * Deletes every event of the user and the rows only they produced, securely where the engine
   * can, logs the erasure without the user id, and names the earlier exports that held them.
   */
  eraseUser(projectId: string, userId: string, now: number): Promise<ErasureResult>
  /** Deletes raw events received before `before` (ms), the same way; logged when any were. */
  deleteEventsBefore(projectId: string, before: number, now: number): Promise<RetentionResult>
  /**
   * The newest erasure log entry of the project (0 = none): caches of aggregates over raw
   * events compare it to know that events they counted are gone, across processes too.
   */
  erasureMark(projectId: string): Promise<number>
  /** Records one export run and the users it held. */
  recordExport(projectId: string, run: ExportRunInput): Promise<ExportRunRecord>
  /** Every recorded export run, newest first. */
  listExports(projectId: string): Promise<ExportRunRecord[]>
}
