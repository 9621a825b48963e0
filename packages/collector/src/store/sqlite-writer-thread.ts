// The writer thread of the SQLite store: commits the groups the HTTP thread hands it, each
// group's batches in one transaction and one sync (see sqlite-writer.ts for the wire shapes).
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

/** What `workerCommitter` hands the thread: the INSERT's parts and the pragmas to set. */
export interface WriterData {
  path: string
  synchronous: string
  head: string
  values: string
  tail: string
  rowsPerStatement: number
  /** Parameters of one row. */
  columns: number
  /** Values per row in a text batch's `numbers`. */
  numbersPerRow: number
  checkpointPages: number
}

/** A batch as it arrives: `[projectId, body, strings, numbers]` or `[projectId, rows]`. */
type Batch =
  | [projectId: string, body: string, strings: string, numbers: Float64Array]
  | [projectId: string, rows: unknown[][]]

if (parentPort) startWriter(parentPort, workerData as WriterData)

function startWriter(port: NonNullable<typeof parentPort>, data: WriterData) {
  const db = new Database(data.path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${data.synchronous}`)
  db.pragma('busy_timeout = 5000')
  db.pragma(`wal_autocheckpoint = ${data.checkpointPages}`)
  // Space freed as pages split is zeroed too, so an erased user's text has no stale copy.
  db.pragma('secure_delete = ON')
  // One multi-row statement per batch: one call into SQLite instead of one per row.
  const statements = new Map<number, Database.Statement>()
  const statementFor = (rows: number) => {
    let statement = statements.get(rows)
    if (!statement) {
      statement = db.prepare(data.head + Array(rows).fill(data.values).join(',') + data.tail)
      statements.set(rows, statement)
    }
    return statement
  }
  const commit = db.transaction((group: Batch[]) =>
    group.map((batch) => {
      const params = paramsOf(batch, data.numbersPerRow)
      const rows = params.length / data.columns
      let inserted = 0
      for (let start = 0; start < rows; start += data.rowsPerStatement) {
        const n = Math.min(data.rowsPerStatement, rows - start)
        inserted += statementFor(n).run(
          params.slice(start * data.columns, (start + n) * data.columns),
        ).changes
      }
      return inserted
    }),
  )
  // Every group that arrived while the last commit ran joins this one: one transaction and one
  // fsync for all of them, answered group by group.
  port.on('message', (first: Batch[] | 'close') => {
    const groups: Batch[][] = []
    let closing = false
    for (
      let next: Batch[] | 'close' | undefined = first;
      next !== undefined;
      next = receiveMessageOnPort(port)?.message
    ) {
      if (next === 'close') {
        closing = true
        break
      }
      groups.push(next)
    }
    if (groups.length > 0) {
      try {
        const inserted = commit(groups.flat())
        const replies: number[][] = []
        let at = 0
        for (const group of groups) {
          replies.push(inserted.slice(at, at + group.length))
          at += group.length
        }
        port.postMessage({ inserted: replies })
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err)
        port.postMessage({ error, groups: groups.length })
      }
    }
    if (closing) {
      db.close()
      port.close()
    }
  })
}

/** The INSERT's parameters for one batch: project_id and the row's columns, per row. */
function paramsOf(batch: Batch, numbersPerRow: number): unknown[] {
  const projectId = batch[0]
  const params: unknown[] = []
  if (batch.length === 4) {
    const [, body, strings, numbers] = batch
    let at = 0
    const next = (length: number) => {
      if (length < 0) return null
      const value = strings.slice(at, at + length)
      at += length
      return value
    }
    for (let i = 0; i < numbers.length; i += numbersPerRow) {
      const n = (k: number) => numbers[i + k]!
      params.push(
        projectId,
        next(n(0)),
        next(n(1)),
        next(n(2)),
        next(n(3)),
        n(7),
        n(8),
        next(n(4)),
        body.slice(n(5), n(6)),
      )
    }
  } else {
    for (const r of batch[1]) {
      params.push(projectId, r[0], r[1], r[2], r[3], r[4], r[5], r[6], JSON.stringify(r[7]))
    }
  }
  return params
}
