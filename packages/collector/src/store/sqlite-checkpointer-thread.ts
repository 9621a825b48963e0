// The checkpointer thread: copies the WAL into the database file beside the writers, so no
// commit waits behind a checkpoint (see sqlite-writer.ts). Started by `startCheckpointer`.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

/** What `startCheckpointer` hands the thread. */
export interface CheckpointerData {
  path: string
  everyMs: number
  /** Past this many WAL pages a PASSIVE round is followed by a RESTART. */
  restartPages: number
}

/** A stalled checkpoint is reported at most this often (10 s), however long it lasts. */
const STALL_EVERY_MS = 10_000

if (parentPort) {
  const port = parentPort
  const data = workerData as CheckpointerData
  const db = new Database(data.path)
  db.pragma('busy_timeout = 5000')
  let lastStall = 0
  const timer = setInterval(() => {
    try {
      const [state] = db.pragma('wal_checkpoint(PASSIVE)') as {
        log: number
        checkpointed: number
      }[]
      if (state && state.log > data.restartPages) {
        const [after] = db.pragma('wal_checkpoint(RESTART)') as { busy: number; log: number }[]
        // The WAL could not start over (a reader holds it): say so, at most every STALL_EVERY_MS.
        const now = Date.now()
        if (after && after.busy !== 0 && now - lastStall >= STALL_EVERY_MS) {
          lastStall = now
          port.postMessage({ stall: after.log })
        }
      }
    } catch {
      // busy or locked: the next round tries again
    }
  }, data.everyMs)
  port.on('message', () => {
    clearInterval(timer)
    db.close()
    port.close()
  })
}
