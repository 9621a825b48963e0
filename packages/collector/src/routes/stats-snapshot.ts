// The settled stats aggregates of a project as bytes for the store (stats_snapshots) and back.
// A snapshot saves the next cold start from reading every stored event: it is loaded, checked
// against the erasure mark and the stored-event count, and only what arrived after it is read.
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import {
  createDriftAccumulator,
  type DriftAccumulator,
  type DriftSnapshot,
} from '@tightloop/pipeline'
import type { Signal } from '@tightloop/schema'
import type { StatsSnapshotRecord } from '../store/stats-snapshots.ts'
import { type CandidateRecord, type StubFields, stubOf } from './stats-candidates.ts'

/**
 * The layout of a snapshot's body, and of the verdicts it holds. Bump it when what is
 * pre-computed at read time changes (the text rules of `candidateRecord`, the row hash, the
 * drift sums): every stored snapshot is then ignored and rebuilt once from the events.
 */
export const SNAPSHOT_FORMAT = 2 // 2: the drift counts no fact (prompt_asked, page_left, answer_resolved) as feedback

/** What a snapshot holds: the settled part of a project's aggregates. */
export interface SettledParts {
  until: number
  count: number
  drift: DriftAccumulator
  candidates: CandidateRecord[]
}

/** One candidate record, flat: the stub's fields, then time, text verdict and row hash. */
type Row = [
  eventId: string,
  signal: Signal,
  requestId: string,
  userId: string,
  occurredAt: string,
  receivedAt: string,
  productVersion: string | null,
  escalationReason: string | null,
  rephraseOf: string | null,
  time: number | null,
  textVerdict: CandidateRecord['textVerdict'],
  hashHigh: number,
  hashLow: number,
]

interface Body {
  drift: DriftSnapshot
  candidates: Row[]
}

/**
 * zlib works off the main thread one output chunk per thread-pool task, and each task's
 * completion waits for a turn of the event loop: with the default 16 KiB chunks, a cold
 * adversary scan holding most turns delayed a 60 MB snapshot by the whole scan (50 s).
 */
const ZLIB_CHUNK = 16 * 1024 * 1024
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/**
 * The settled parts as a snapshot record (compressed off the main thread).
 *
 * @example await store.writeStatsSnapshot(id, await encodeSnapshot(parts, erasureMark, Date.now()))
 */
export async function encodeSnapshot(
  parts: SettledParts,
  erasureMark: number,
  now: number,
): Promise<StatsSnapshotRecord> {
  // Taken at once: the settled part may grow while the rows are written out below.
  const { until, count } = parts
  const drift = JSON.stringify(parts.drift.snapshot())
  const records = parts.candidates.slice()
  // ~2 µs a record: in slices between turns of the event loop, so a snapshot of a million events
  // does not hold ingest up (one JSON.stringify of it stalled the loop for 360 ms).
  const slices: string[] = []
  for (let i = 0; i < records.length; i += ROWS_PER_TURN) {
    slices.push(JSON.stringify(records.slice(i, i + ROWS_PER_TURN).map(toRow)).slice(1, -1))
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  const json = `{"drift":${drift},"candidates":[${slices.filter(Boolean).join(',')}]}`
  return {
    format: SNAPSHOT_FORMAT,
    erasureMark,
    until,
    events: count,
    body: await gzipAsync(json, { level: 1, chunkSize: ZLIB_CHUNK }),
    writtenAt: now,
  }
}

const ROWS_PER_TURN = 10_000

function toRow({ stub, time, textVerdict, hashHigh, hashLow }: CandidateRecord): Row {
  const s = stub as StubFields
  return [
    s.eventId,
    s.signal,
    s.requestId,
    s.userId,
    s.occurredAt,
    s.receivedAt,
    s.productVersion ?? null,
    s.escalationReason ?? null,
    s.rephraseOf ?? null,
    Number.isNaN(time) ? null : time,
    textVerdict,
    hashHigh,
    hashLow,
  ]
}

/**
 * The settled parts of a snapshot record; null when it has another format or was built
 * before the project's latest erasure.
 *
 * @example const parts = await decodeSnapshot(await store.readStatsSnapshot(id), mark)
 */
export async function decodeSnapshot(
  record: StatsSnapshotRecord | null,
  erasureMark: number,
): Promise<SettledParts | null> {
  if (!record || record.format !== SNAPSHOT_FORMAT || record.erasureMark !== erasureMark) {
    return null
  }
  const body = JSON.parse(
    (await gunzipAsync(record.body, { chunkSize: ZLIB_CHUNK })).toString('utf8'),
  ) as Body
  return {
    until: record.until,
    count: record.events,
    drift: createDriftAccumulator({ byUser: true, from: body.drift }),
    candidates: body.candidates.map(fromRow),
  }
}

function fromRow(row: Row): CandidateRecord {
  const [eventId, signal, requestId, userId, occurredAt, receivedAt, productVersion, ...rest] = row
  const [escalationReason, rephraseOf, time, textVerdict, hashHigh, hashLow] = rest
  return {
    stub: stubOf({
      eventId,
      signal,
      requestId,
      userId,
      occurredAt,
      receivedAt,
      ...(productVersion !== null && { productVersion }),
      ...(escalationReason !== null && { escalationReason }),
      ...(rephraseOf !== null && { rephraseOf }),
    }),
    time: time ?? Number.NaN,
    textVerdict,
    hashHigh,
    hashLow,
  }
}
