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

if (parentPort) {
  const port = parentPort
  const data = workerData as CheckpointerData
  const db = new Database(data.path)
  db.pragma('busy_timeout = 5000')
  const timer = setInterval(() => {
    try {
      const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]
      if (state && state.log > data.restartPages) db.pragma('wal_checkpoint(RESTART)')
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
