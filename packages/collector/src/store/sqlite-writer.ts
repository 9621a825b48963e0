// Group commit for SQLite. Small groups commit on the HTTP thread and sync the WAL on libuv's
// pool; large ones go to a writer thread, so the HTTP thread keeps validating requests while the
// writer inserts and syncs the previous group. A third thread checkpoints.

import { closeSync, existsSync, fdatasync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { StoredEvent } from '@tightloop/schema'
import Database from 'better-sqlite3'
import { type CommitMessage, checkpointStallChannel, commitChannel } from '../observe/channels.ts'
import { eventSpans } from './event-spans.ts'
import type { CheckpointerData } from './sqlite-checkpointer-thread.ts'
import type { WriterData } from './sqlite-writer-thread.ts'
import type { EventRow, EventSource, InsertResult } from './types.ts'

/** Where committed event rows go; `insert` resolves only once its rows are durable. */
export interface EventWriter {
  insert(projectId: string, rows: EventRow[], source?: EventSource): Promise<InsertResult>
  /** Answers every batch handed in so far, then stops the writer. */
  close(): Promise<void>
}

/**
 * A group as it goes to the writer thread: the batches of one event-loop turn (or of every
 * turn during a sync it waited for). The worker commits every group queued for it together.
 */
type Group = WireBatch[]
/**
 * One batch as it crosses to the writer thread. When the batch came with its body text and the
 * body can be cut into its events (the usual case), the batch travels as a few flat values
 * (`TextBatch`) with each event's own text as its payload, and the writer neither parses nor
 * serialises. Such a payload is the event as the client sent it; the store adds
 * `clientOccurredAt`, `receivedAt` and the corrected `occurredAt` from the row's columns when it
 * reads it back (see `restampEvent`). Other batches (scrubbed or stripped events) travel as
 * objects, and the writer stores them already stamped.
 */
type WireBatch = ObjectBatch | TextBatch
/**
 * A batch in four values, whatever its number of rows: a structured clone costs per value (a
 * typed array ~2 µs of the HTTP thread, more than a short string), and eight values a row
 * (five of them strings) cost ~1.5 µs an event.
 * `strings`: each row's event id, signal, request id, user id and product version, end to end;
 * `numbers`: per row the lengths of those five (-1: no product version), the start and end of
 * the event's text in `body`, then `occurred_at` and `received_at`.
 */
type TextBatch = [projectId: string, body: string, strings: string, numbers: Float64Array]
/** Values of `TextBatch.numbers` per row: five string lengths, the payload's span, two times. */
const NUMBERS_PER_ROW = 9
/**
 * One row as it crosses to the writer: the INSERT's columns after `project_id`, the event
 * still an object. Cloning it across costs the HTTP thread about half of what serialising it
 * would, so the writer thread does the JSON.
 */
type WireRow = [string, string, string, string, number, number, string | null, StoredEvent]
/** A batch whose rows travel as objects: when its events cannot be cut out of the body. */
type ObjectBatch = [projectId: string, rows: WireRow[]]

interface PendingBatch {
  projectId: string
  rows: EventRow[]
  source: EventSource | undefined
  resolve: (result: InsertResult) => void
  reject: (err: unknown) => void
}

const INSERT_HEAD = `INSERT INTO events (project_id, event_id, signal, request_id, user_id,
  occurred_at, received_at, product_version, payload) VALUES `
const INSERT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?)'
/** Parameters of one row: the placeholders of `INSERT_VALUES`. */
const INSERT_COLUMNS = INSERT_VALUES.split('?').length - 1
const INSERT_TAIL = ' ON CONFLICT (project_id, event_id) DO NOTHING'
const INSERT_SQL = INSERT_HEAD + INSERT_VALUES + INSERT_TAIL
/** 100 rows × 9 columns stays far below SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 100
/**
 * Checkpoints (copying the WAL into the database file) run on a thread of their own, so a
 * commit never waits behind one: that wait was most of the tail latency. PASSIVE every
 * 100 ms copies what it can beside the writer; past 8,192 pages (32 MiB) of WAL a RESTART,
 * which has little left to copy by then, lets the writer start the file over.
 */
const CHECKPOINT_EVERY_MS = 100
const CHECKPOINT_RESTART_PAGES = 8_192
/** The writer still checkpoints by itself if the WAL ever reaches 400 MiB (a stalled checkpointer). */
const WRITER_CHECKPOINT_PAGES = 100_000

const toWire = (row: EventRow): WireRow => [
  row.eventId,
  row.signal,
  row.requestId,
  row.userId,
  row.occurredAt,
  row.receivedAt,
  row.productVersion,
  row.event,
]

const toObjectBatch = (b: PendingBatch): ObjectBatch => [b.projectId, b.rows.map(toWire)]

/**
 * Where each row's event sits in the batch's body text (start and end, per row, in pairs at
 * `2 × index`), when every row is an event of the body unchanged and the body can be cut.
 */
function verbatimSpans(b: PendingBatch): number[] | undefined {
  if (!b.source || b.source.indexes.length !== b.rows.length) return undefined
  const spans = eventSpans(b.source.text)
  // Indexes ascend: the last one within the spans means every one is.
  const last = b.source.indexes[b.source.indexes.length - 1]
  return spans && (last === undefined || 2 * last + 1 < spans.length) ? spans : undefined
}

/** The wire form of a batch: its rows' columns and each event's own text, when it can be cut out. */
function toWireBatch(b: PendingBatch): WireBatch {
  const spans = verbatimSpans(b)
  if (!spans) return toObjectBatch(b)
  const { text, indexes } = b.source!
  const strings: string[] = []
  const numbers = new Float64Array(b.rows.length * NUMBERS_PER_ROW)
  for (let i = 0, k = 0; i < b.rows.length; i++) {
    const row = b.rows[i]!
    strings.push(row.eventId, row.signal, row.requestId, row.userId)
    numbers[k++] = row.eventId.length
    numbers[k++] = row.signal.length
    numbers[k++] = row.requestId.length
    numbers[k++] = row.userId.length
    if (row.productVersion === null) numbers[k++] = -1
    else {
      strings.push(row.productVersion)
      numbers[k++] = row.productVersion.length
    }
    const at = indexes[i]! * 2
    numbers[k++] = spans[at]!
    numbers[k++] = spans[at + 1]!
    numbers[k++] = row.occurredAt
    numbers[k++] = row.receivedAt
  }
  return [b.projectId, text, strings.join(''), numbers]
}

/** Syncs a file's data to the disk (node's `fs.fdatasync`; a test may hold it back). */
export type SyncFile = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void

/**
 * Commits on the calling thread. A file database gets a connection of its own in
 * `synchronous = NORMAL`, which writes the WAL without syncing it; in `FULL` mode `durable()`
 * then syncs the WAL file with `fdatasync` on libuv's pool, and a batch is answered only after
 * a sync that started after its commit: the guarantee `FULL` gives, without the calling thread
 * waiting for the disk. (Checkpoints run on the checkpointer's connection, in `FULL`: it syncs
 * the WAL before copying it and the database file after.) Used for small groups, where the two
 * hand-overs to the writer thread cost more than the inserts; for `:memory:`; and when the
 * writer thread is gone.
 */
function localCommitter(
  main: Database.Database,
  path: string,
  synchronous: string,
  sync: SyncFile,
) {
  const file = path !== ':memory:'
  const waitMs = Number(main.pragma('busy_timeout', { simple: true }))
  /** A file database's committing connection; opened with the first commit. */
  let own: Database.Database | undefined
  const openOwn = () => {
    // Never waits for another connection's write lock unless told to (see `commit`).
    const db = new Database(path, { timeout: 0 })
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // Checkpoints are the checkpointer thread's work, never a commit's on this thread.
    db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`)
    db.pragma('secure_delete = ON') // as the writer thread's (sqlite-writer-thread.ts)
    return db
  }
  const transaction = (db: Database.Database) => {
    const insert = db.prepare(INSERT_SQL)
    return db.transaction((group: PendingBatch[]) =>
      group.map((b) => {
        const spans = verbatimSpans(b)
        let inserted = 0
        b.rows.forEach((r, i) => {
          const at = spans ? b.source!.indexes[i]! * 2 : 0
          const payload = spans
            ? b.source!.text.slice(spans[at], spans[at + 1])
            : JSON.stringify(r.event)
          inserted += insert.run(
            b.projectId,
            r.eventId,
            r.signal,
            r.requestId,
            r.userId,
            r.occurredAt,
            r.receivedAt,
            r.productVersion,
            payload,
          ).changes
        })
        return inserted
      }),
    )
  }
  let commit: Database.Transaction<(group: PendingBatch[]) => number[]> | undefined
  let walFd: number | undefined
  return {
    /**
     * Commits `group` and returns each batch's inserted count. Unless `wait`, a write lock held
     * by another connection returns `undefined` at once, with nothing written.
     */
    commit(group: PendingBatch[], wait: boolean): number[] | undefined {
      if (!commit) {
        if (file) own = openOwn()
        commit = transaction(own ?? main)
      }
      if (!own) return commit(group)
      if (wait) own.pragma(`busy_timeout = ${waitMs}`)
      try {
        return commit.immediate(group)
      } catch (err) {
        if (!wait && (err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined
        throw err
      } finally {
        if (wait) own.pragma('busy_timeout = 0')
      }
    },
    /** Resolves once every commit made so far is on the disk. */
    durable(): Promise<void> {
      if (!own || synchronous !== 'FULL') return Promise.resolve()
      // The WAL file outlives this fd: SQLite deletes it only when the last connection to the
      // database closes, and this committer's stays open until `close()`.
      return new Promise((resolve, reject) => {
        walFd ??= openSync(`${path}-wal`, 'r') // throwing here rejects: the batches get the error
        sync(walFd, (err) => (err ? reject(err) : resolve()))
      })
    },
    close() {
      if (walFd !== undefined) closeSync(walFd)
      own?.close()
      walFd = undefined
      own = undefined
    },
  }
}

/**
 * Starts one of the store's threads: the module `<name>.js` beside this one when built, or,
 * when this module runs as TypeScript source, `<name>.ts` through thread-source.mjs (a thread
 * starts without the TypeScript loader the main thread may be running under).
 */
function startThread(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const built = `./${name}.js` // not inline: bundlers rewrite literal `new URL`s
    return new Worker(new URL(built, import.meta.url), { workerData })
  }
  const dir = sourceDir()
  const source = pathToFileURL(join(dir, `${name}.ts`)).href
  return new Worker(join(dir, 'thread-source.mjs'), { workerData, argv: [source] })
}

/**
 * This folder, when running from source. Some test environments (vitest's browser-like ones)
 * hand a module an `import.meta.url` that is not its file; then the package is found from the
 * working directory, as its tests and tools run from the repository.
 */
function sourceDir(): string {
  const here = new URL('.', import.meta.url)
  if (here.protocol === 'file:' && existsSync(new URL('thread-source.mjs', here))) {
    return fileURLToPath(here)
  }
  const entry = createRequire(join(process.cwd(), 'index.js')).resolve('@tightloop/collector')
  return join(dirname(entry), 'store')
}

/** Starts the checkpointer thread (sqlite-checkpointer-thread.ts). */
function startCheckpointer(path: string) {
  const data: CheckpointerData = {
    path,
    everyMs: CHECKPOINT_EVERY_MS,
    restartPages: CHECKPOINT_RESTART_PAGES,
  }
  const checkpointer = startThread('sqlite-checkpointer-thread', data)
  checkpointer.unref()
  checkpointer.on('error', () => {}) // the committing connections' own checkpoints take over
  checkpointer.on('message', (m: { stall?: number }) => {
    if (m.stall !== undefined) checkpointStallChannel.publish({ walPages: m.stall })
  })
  return {
    async stop() {
      // Kept alive until the thread has closed the file: otherwise a caller awaiting close()
      // at the top level sees node exit (code 13) before it returns.
      checkpointer.ref()
      checkpointer.postMessage('close')
      await new Promise((resolve) => checkpointer.once('exit', resolve))
    },
  }
}

/** Commits on a worker thread (sqlite-writer-thread.ts) with its own connection; replies arrive in send order. */
function workerCommitter(path: string, synchronous: string, onCrash: (err: unknown) => void) {
  const data: WriterData = {
    path,
    synchronous,
    head: INSERT_HEAD,
    values: INSERT_VALUES,
    tail: INSERT_TAIL,
    rowsPerStatement: ROWS_PER_STATEMENT,
    columns: INSERT_COLUMNS,
    numbersPerRow: NUMBERS_PER_ROW,
    checkpointPages: WRITER_CHECKPOINT_PAGES,
  }
  const worker = startThread('sqlite-writer-thread', data)
  worker.unref() // an idle writer never keeps the process alive; a busy one is ref'd below
  const waiting: { resolve: (n: number[]) => void; reject: (err: unknown) => void }[] = []
  worker.on('message', (reply: { inserted?: number[][]; error?: string; groups?: number }) => {
    // One reply answers every group the writer committed together, in the order they were sent.
    const answered = waiting.splice(0, reply.inserted?.length ?? reply.groups ?? 0)
    if (waiting.length === 0) worker.unref()
    answered.forEach((next, i) => {
      if (reply.inserted) next.resolve(reply.inserted[i]!)
      else next.reject(new Error(`SQLite writer: ${reply.error}`))
    })
  })
  worker.on('error', (err) => {
    for (const w of waiting.splice(0)) w.reject(err)
    onCrash(err)
  })
  return {
    commit(group: Group): Promise<number[]> {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject })
        worker.ref()
        worker.postMessage(group)
      })
    },
    async stop() {
      worker.ref() // see the checkpointer's stop()
      worker.postMessage('close')
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}

/** Tells metrics a group is durable: its rows, its batches, the time since its commit began. */
function publishCommit(batches: PendingBatch[], startedAt: number) {
  const rows = batches.reduce((n, b) => n + b.rows.length, 0)
  const message: CommitMessage = {
    engine: 'sqlite',
    rows,
    batches: batches.length,
    ms: performance.now() - startedAt,
  }
  commitChannel.publish(message)
}

/** Groups of up to this many rows commit on the calling thread while the writer thread is idle. */
const LOCAL_MAX_ROWS = 32

/**
 * Builds the event writer of a SQLite store. Every batch that arrives while a commit runs
 * joins the next one: one transaction and one sync for all of them, and a caller hears back
 * only after the sync that holds its batch.
 *
 * Small groups (batches of one event) commit on the calling thread and sync on libuv's pool
 * (`localCommitter`): for them the hand-over to a thread and back costs more than the inserts.
 * Larger groups go to the writer thread, which takes all that queued for it into one commit
 * while the calling thread goes on validating requests; while it has any, every group goes
 * there. A checkpointer thread copies the WAL into the database file beside both.
 *
 * @example const writer = createEventWriter(db, './data/tightloop.db', 'FULL')
 */
export function createEventWriter(
  db: Database.Database,
  path: string,
  synchronous: string,
  sync: SyncFile = fdatasync,
): EventWriter {
  const file = path !== ':memory:'
  const local = localCommitter(db, path, synchronous, sync)
  // Threads start on the first insert, so stores that only read (CLI, tests) never start one.
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined
  let worker: ReturnType<typeof workerCommitter> | undefined
  let useWorker = file
  const writer = () => {
    if (useWorker && !worker) {
      worker = workerCommitter(path, synchronous, () => {
        worker = undefined // a crashed writer is not restarted: later groups commit locally
        useWorker = false
      })
    }
    return worker
  }
  let pending: PendingBatch[] = []
  let atWorker = 0 // commits handed to the writer thread, not answered yet
  let syncing = false // a local commit waiting for its sync
  let scheduled = false
  let idle: (() => void)[] = []

  const schedule = () => {
    if (!scheduled && pending.length > 0) {
      scheduled = true
      setImmediate(flush)
    } else if (pending.length === 0 && atWorker === 0 && !syncing) {
      for (const done of idle.splice(0)) done()
    }
  }

  const answer = (batches: PendingBatch[], counts: Promise<number[]>, startedAt: number) =>
    counts.then(
      (inserted) => {
        if (commitChannel.hasSubscribers) publishCommit(batches, startedAt)
        batches.forEach((b, i) => {
          b.resolve({ inserted: inserted[i]!, duplicates: b.rows.length - inserted[i]! })
        })
      },
      (err) => {
        for (const b of batches) b.reject(err)
      },
    )

  const toWorker = (batches: PendingBatch[], target: NonNullable<typeof worker>) => {
    atWorker += 1
    const startedAt = performance.now()
    answer(batches, target.commit(batches.map(toWireBatch)), startedAt).finally(() => {
      atWorker -= 1
      schedule()
    })
  }

  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    const rows = pending.reduce((n, b) => n + b.rows.length, 0)
    const target = useWorker && (atWorker > 0 || rows > LOCAL_MAX_ROWS) ? writer() : undefined
    if (!target && syncing) return // the sync's end flushes what queued meanwhile
    const batches = pending
    pending = []
    if (target) return toWorker(batches, target)
    let inserted: number[] | undefined
    const startedAt = performance.now()
    try {
      // With a writer thread to hand over to, never wait here for another connection's lock.
      inserted = local.commit(batches, !useWorker)
    } catch (err) {
      for (const b of batches) b.reject(err)
      return schedule()
    }
    if (inserted === undefined) {
      const fallback = writer()
      if (fallback) return toWorker(batches, fallback)
      pending = batches.concat(pending) // the writer is gone: commit here, waiting for the lock
      return schedule()
    }
    const counts = inserted
    syncing = true
    answer(
      batches,
      local.durable().then(() => counts),
      startedAt,
    ).finally(() => {
      syncing = false
      schedule()
    })
  }

  return {
    insert(projectId, rows, source) {
      if (rows.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 })
      if (file && !checkpointer) checkpointer = startCheckpointer(path)
      return new Promise((resolve, reject) => {
        pending.push({ projectId, rows, source, resolve, reject })
        schedule()
      })
    },
    async close() {
      if (atWorker > 0 || syncing || pending.length > 0) {
        await new Promise<void>((resolve) => {
          idle.push(resolve)
          schedule()
        })
      }
      useWorker = false
      await Promise.all([worker?.stop(), checkpointer?.stop()])
      worker = undefined
      checkpointer = undefined
      local.close()
      idle = []
    },
  }
}
