// The storage interface every engine implements; routes only ever talk to this.
import type { Signal, StoredEvent } from '@tightloop/schema'
import type { AnswerLogStore } from './answer-log.ts'
import type { PrivacyStore } from './privacy-types.ts'
import type { ProjectSettings } from './project-settings.ts'
import type { ReviewLogStore } from './review-log.ts'
import type { StatsSnapshotStore } from './stats-snapshots.ts'
import type { WebhookStore } from './webhook-types.ts'

export type * from './privacy-types.ts'
export type * from './webhook-types.ts'

/** A project: who may send events, from where, and the rules its training data follows. */
export interface ProjectRecord extends ProjectSettings {
  id: string
  name: string
  /** Origins allowed to send from a browser; `*` allows any. */
  allowedOrigins: string[]
  /** Escalation reasons the widget offers and ingest accepts. */
  escalationReasons: string[]
  /** Days after which feedback is too stale to train on. */
  ttlDays: number
  /** Replace e-mail addresses, card and phone numbers in free text before storing. */
  scrubPii: boolean
  /** Flagged adversaries are excluded from exports without a human confirming them. */
  autoBanAdversaries: boolean
  createdAt: string
}

/** Fields a caller may set on a project. */
export type ProjectInput = Partial<Omit<ProjectRecord, 'id' | 'createdAt'>> & { name: string }

/** A key as stored: public keys by value, secret keys by SHA-256 only. */
export interface KeyRecord {
  projectId: string
  kind: 'public' | 'secret'
  /** The public key itself, or the hex SHA-256 of the secret key. */
  lookup: string
  /** After this instant the key no longer works (rotation grace period); null = never. */
  expiresAt: string | null
}

/** One event ready to insert: indexed columns plus the full JSON. */
export interface EventRow {
  eventId: string
  signal: Signal
  requestId: string
  userId: string
  /** Milliseconds since the epoch, skew-corrected and clamped to `receivedAt`. */
  occurredAt: number
  receivedAt: number
  productVersion: string | null
  event: StoredEvent
}

/**
 * Where a batch's rows came from: the request body, and for each row the index of its event
 * in the body's `events` array. Given only when every row's `event` is exactly that parsed
 * event plus `clientOccurredAt`, `receivedAt` and its corrected `occurredAt` (no key dropped
 * by validation, nothing scrubbed). A store may then keep each event's own text from the
 * body (and add the stamped fields when it reads it back), which costs less than copying the
 * objects to another thread and serialising them there; it may also ignore it.
 */
export interface EventSource {
  text: string
  indexes: number[]
}

/** An event streamed without its payload (see `Store.streamEventsSkipping`). */
export interface SkippedEvent {
  signal: Signal
  skipped: true
}

/** The outcome of storing one batch. */
export interface InsertResult {
  inserted: number
  duplicates: number
}

/** A time window over `receivedAt`, in ms since the epoch; both ends optional. */
export interface TimeRange {
  since?: number
  until?: number
}

/**
 * An adversary entry: flagged by a rule or a person, banned once confirmed, back in once a
 * person dismissed the flag (the dismissal is kept, so the same evidence does not flag again).
 */
export interface AdversaryRecord {
  userId: string
  status: 'flagged' | 'confirmed' | 'dismissed'
  reason: string
  /**
   * Strength of the evidence per detection rule (`{"slow_poisoning": 212}`) when the user was
   * last flagged; a dismissal keeps it, and a later scan flags again only if one grows.
   */
  evidence: Record<string, number>
  createdAt: string
}

/** What `upsertAdversary` writes; without `evidence` the stored evidence stays as it is. */
export type AdversaryInput = Omit<AdversaryRecord, 'createdAt' | 'evidence'> & {
  evidence?: Record<string, number>
}

/** A product-version change: feedback produced before it is stale. */
export interface VersionChangeRecord {
  version: string
  changedAt: string
}

/** A recorded promotion decision. */
/** Events browsers of a project reported they had to drop on one UTC day. */
export interface ClientDropsRecord {
  day: string
  dropped: number
}

export interface GateDecisionRecord {
  id: number
  decidedAt: string
  promote: boolean
  report: unknown
}

/**
 * Storage behind the collector. Every method is async so that SQLite (in process) and
 * PostgreSQL (over the network) share one contract and one test suite.
 */
export interface Store
  extends PrivacyStore,
    AnswerLogStore,
    ReviewLogStore,
    WebhookStore,
    StatsSnapshotStore {
  readonly engine: 'sqlite' | 'postgres'
  /** Creates or upgrades the schema; safe to run from several processes. */
  migrate(): Promise<void>
  close(): Promise<void>

  createProject(input: ProjectInput & { id?: string }): Promise<ProjectRecord>
  updateProject(id: string, patch: Partial<ProjectInput>): Promise<ProjectRecord>
  getProject(id: string): Promise<ProjectRecord | null>
  listProjects(): Promise<ProjectRecord[]>

  addKey(key: KeyRecord): Promise<void>
  /** Sets `expiresAt` on every key of that kind of the project that has none or a later one. */
  expireKeys(projectId: string, kind: KeyRecord['kind'], expiresAt: string): Promise<void>
  findKey(lookup: string): Promise<KeyRecord | null>
  /**
   * The key and its project in one read: what every request needs to authenticate. One
   * query, not two, because it runs for every request (a read transaction on SQLite, a round
   * trip on PostgreSQL); never cached, so a key or project change holds at once everywhere.
   */
  findKeyWithProject(lookup: string): Promise<{ key: KeyRecord; project: ProjectRecord } | null>

  /** Stores the rows once per `(project, eventId)`; resolves only once durably committed. */
  insertEvents(projectId: string, rows: EventRow[], source?: EventSource): Promise<InsertResult>
  /** Every stored event in `receivedAt` order, paged from the database, never all in memory. */
  streamEvents(projectId: string, range?: TimeRange): AsyncIterable<StoredEvent>
  /**
   * `streamEvents`, except that events whose signal is in `skipped` come back as
   * `{ signal, skipped: true }` without their payload: one cursor, so counts stay exact, but
   * an export does not read and parse the impressions and thumbs-up it would drop anyway.
   */
  streamEventsSkipping(
    projectId: string,
    skipped: readonly Signal[],
    range?: TimeRange,
  ): AsyncIterable<StoredEvent | SkippedEvent>
  countEvents(projectId: string): Promise<number>
  /**
   * Stores thumbs-down amendments, each row under the eventId of the vote it amends (its
   * `amends`). With no event of that id the row is inserted: it stands in for the vote, which
   * is then a duplicate if it arrives later. Otherwise, when that event is a thumbs_down of the
   * same user and answer, its `comment` and `metadata` become the amendment's; else nothing
   * changes. Resolves, per row, whether it was stored or merged; committed when it resolves.
   */
  amendEvents(projectId: string, rows: EventRow[]): Promise<boolean[]>

  listAdversaries(projectId: string): Promise<AdversaryRecord[]>
  upsertAdversary(projectId: string, entry: AdversaryInput): Promise<void>
  removeAdversary(projectId: string, userId: string): Promise<boolean>

  listVersionChanges(projectId: string): Promise<VersionChangeRecord[]>
  addVersionChange(projectId: string, change: VersionChangeRecord): Promise<void>
  removeVersionChange(projectId: string, version: string): Promise<boolean>

  addGateDecision(
    projectId: string,
    decision: Omit<GateDecisionRecord, 'id'>,
  ): Promise<GateDecisionRecord>
  listGateDecisions(projectId: string): Promise<GateDecisionRecord[]>

  /** Adds to the events browsers reported dropping on `day` (`YYYY-MM-DD`, UTC). */
  addClientDrops(projectId: string, day: string, dropped: number): Promise<void>
  /** Reported drops per day, oldest first. */
  listClientDrops(projectId: string): Promise<ClientDropsRecord[]>

  /**
   * Adds `cost` to a fixed window shared by every collector process on this store and
   * returns the count so far in that window. `bucket` never holds a raw client address
   * (the limiter hashes it first); `windowMs` tells the store when the window may be forgotten.
   */
  hitRateLimit(bucket: string, windowStart: number, cost: number, windowMs: number): Promise<number>
}
