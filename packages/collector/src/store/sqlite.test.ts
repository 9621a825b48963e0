// Runs the store contract against SQLite files in a temporary folder.
import { fdatasync, fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { makeEvent } from '../testing.ts'
import { describeAnswerLogContract } from './answers.contract.ts'
import { describePrivacyContract } from './privacy.contract.ts'
import { describeReviewLogContract } from './review.contract.ts'
import { createSqliteStore } from './sqlite.ts'
import { createEventWriter, type SyncFile } from './sqlite-writer.ts'
import { describeStoreContract, rowOf } from './store.contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'tightloop-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)), {
  sharedRateLimits: false,
})
describePrivacyContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)))
describeAnswerLogContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)))
describeReviewLogContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)))

describe('key lookups shared within one turn of the event loop', () => {
  it('sees a change made through another connection once the turn is over', async () => {
    const path = join(dir, 'two-connections.db')
    const a = createSqliteStore(path)
    await a.migrate()
    const b = createSqliteStore(path) // as a second collector, or the CLI, on the same file
    try {
      const project = await a.createProject({ name: 'p', allowedOrigins: ['https://a.example'] })
      await a.addKey({ projectId: project.id, kind: 'public', lookup: 'pk_turn', expiresAt: null })
      const before = await a.findKeyWithProject('pk_turn')
      expect(before?.project.allowedOrigins).toEqual(['https://a.example'])

      const soon = new Date(Date.now() + 60_000).toISOString()
      await b.updateProject(project.id, { allowedOrigins: ['https://b.example'] })
      await b.expireKeys(project.id, 'public', soon)
      await new Promise((resolve) => setImmediate(resolve)) // the next request's turn
      const after = await a.findKeyWithProject('pk_turn')
      expect(after?.key.expiresAt).toBe(soon)
      expect(after?.project.allowedOrigins).toEqual(['https://b.example'])

      // A change through the same store is seen at once, in the same turn.
      await a.updateProject(project.id, { allowedOrigins: ['https://c.example'] })
      expect((await a.findKeyWithProject('pk_turn'))?.project.allowedOrigins).toEqual([
        'https://c.example',
      ])
    } finally {
      await b.close()
      await a.close()
    }
  })
})

describe('the writer thread', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  const rowsOf = (ids: string[]) =>
    ids.map((id) => rowOf(makeEvent('thumbs_down', { eventId: id }), Date.now()))

  it('answers every batch with its own counts when batches of many turns commit together', async () => {
    const store = createSqliteStore(join(dir, 'merged.db'))
    await store.migrate()
    try {
      const project = await store.createProject({ name: 'p' })
      // A large first batch keeps the writer busy while the next turns' batches queue for it.
      const pending = [
        store.insertEvents(project.id, rowsOf(Array.from({ length: 5000 }, (_, i) => `big-${i}`))),
      ]
      const expected = [{ inserted: 5000, duplicates: 0 }]
      for (let k = 1; k <= 30; k++) {
        await turn()
        // Batch k: k new events and, from the second on, the first event of batch k - 1 again.
        const ids = Array.from({ length: k }, (_, i) => `b${k}-${i}`)
        if (k > 1) ids.push(`b${k - 1}-0`)
        pending.push(store.insertEvents(project.id, rowsOf(ids)))
        expected.push({ inserted: k, duplicates: k > 1 ? 1 : 0 })
      }
      expect(await Promise.all(pending)).toEqual(expected)
    } finally {
      await store.close()
    }
  })

  it('fails every batch of a failed commit, and answers the batches after it with their own counts', async () => {
    const path = join(dir, 'failing.db')
    const store = createSqliteStore(path)
    await store.migrate()
    const other = new Database(path)
    try {
      const project = await store.createProject({ name: 'p' })
      other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.event_id = 'poison'
        BEGIN SELECT RAISE(ABORT, 'refused by test'); END`)
      const answer = (ids: string[]) =>
        store.insertEvents(project.id, rowsOf(ids)).then(
          (result) => result,
          (err: Error) => err.message,
        )
      // Batch 0 keeps the writer busy; batch 4 is refused, and with it whatever shares its commit.
      const batches = [Array.from({ length: 5000 }, (_, i) => `big-${i}`)]
      for (let k = 1; k <= 10; k++) batches.push(k === 4 ? ['poison'] : [`ok-${k}`])
      const answers = []
      for (const ids of batches) {
        answers.push(answer(ids))
        await turn()
      }
      const results = await Promise.all(answers)
      expect(results[4]).toMatch(/refused by test/)
      const count = other.prepare('SELECT count(*) FROM events WHERE event_id = ?').pluck()
      results.forEach((result, k) => {
        const ids = batches[k]!
        if (typeof result === 'string') {
          expect(result).toMatch(/refused by test/)
          expect(count.get(ids[0])).toBe(0)
        } else {
          expect(result).toEqual({ inserted: ids.length, duplicates: 0 })
          expect(count.get(ids[0])).toBe(1)
        }
      })
      // The writer goes on after a failed commit.
      expect(await answer(['after'])).toEqual({ inserted: 1, duplicates: 0 })
    } finally {
      other.close()
      await store.close()
    }
  })
})

describe('small groups, committed on the calling thread', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  const rowsOf = (ids: string[]) =>
    ids.map((id) => rowOf(makeEvent('thumbs_down', { eventId: id }), Date.now()))
  async function until(done: () => boolean) {
    for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 5))
    expect(done()).toBe(true)
  }
  async function projectIn(path: string) {
    const setup = createSqliteStore(path)
    await setup.migrate()
    const project = await setup.createProject({ name: 'p' })
    await setup.close()
    return project
  }
  /** An event writer on its own connection to a new file, with `sync` in place of fdatasync. */
  async function writerOn(name: string, synchronous: string, sync: SyncFile) {
    const path = join(dir, `${name}.db`)
    const project = await projectIn(path)
    const db = new Database(path)
    const writer = createEventWriter(db, path, synchronous, sync)
    const close = async () => {
      await writer.close()
      db.close()
    }
    return { path, project, db, writer, close }
  }

  it('answers a batch only after a sync of the WAL that started after its commit', async () => {
    const held: { fd: number; release: () => void }[] = []
    const { path, project, writer, close } = await writerOn('local-sync', 'FULL', (fd, done) => {
      held.push({ fd, release: () => fdatasync(fd, done) })
    })
    const other = new Database(path, { readonly: true })
    const stored = other.prepare('SELECT count(*) FROM events WHERE event_id = ?').pluck()
    try {
      let answered = 0
      const first = writer.insert(project.id, rowsOf(['a'])).then((r) => {
        answered += 1
        return r
      })
      await until(() => held.length === 1)
      // Committed (another connection sees it) and the WAL file is what is being synced...
      expect(stored.get('a')).toBe(1)
      expect(fstatSync(held[0]!.fd).ino).toBe(statSync(`${path}-wal`).ino)
      // ...but not answered while that sync has not returned.
      await turn()
      await turn()
      expect(answered).toBe(0)

      // Batches arriving meanwhile wait for the sync, then commit and sync together.
      const next = [writer.insert(project.id, rowsOf(['b']))]
      await turn()
      next.push(writer.insert(project.id, rowsOf(['c', 'a'])))
      await turn()
      expect(stored.get('b')).toBe(0)
      held.shift()!.release()
      expect(await first).toEqual({ inserted: 1, duplicates: 0 })
      await until(() => held.length === 1)
      expect([stored.get('b'), stored.get('c')]).toEqual([1, 1])
      held.shift()!.release()
      expect(await Promise.all(next)).toEqual([
        { inserted: 1, duplicates: 0 },
        { inserted: 1, duplicates: 1 },
      ])
      expect(held).toHaveLength(0) // one sync for the two batches
    } finally {
      for (const h of held) h.release()
      other.close()
      await close()
    }
  })

  it('fails the batches of a failed sync, and goes on', async () => {
    let failures = 1
    const { project, writer, close } = await writerOn('local-sync-error', 'FULL', (fd, done) => {
      if (failures-- > 0) done(Object.assign(new Error('EIO: sync failed (test)'), { code: 'EIO' }))
      else fdatasync(fd, done)
    })
    try {
      await expect(writer.insert(project.id, rowsOf(['e1']))).rejects.toThrow(/sync failed/)
      expect(await writer.insert(project.id, rowsOf(['e2']))).toEqual({
        inserted: 1,
        duplicates: 0,
      })
    } finally {
      await close()
    }
  })

  it('in NORMAL mode commits without syncing the WAL, as that mode promises no more', async () => {
    const syncs: number[] = []
    const { project, db, writer, close } = await writerOn('local-normal', 'NORMAL', (fd, done) => {
      syncs.push(fd)
      done(null)
    })
    try {
      expect(await writer.insert(project.id, rowsOf(['n1', 'n2']))).toEqual({
        inserted: 2,
        duplicates: 0,
      })
      expect(syncs).toEqual([])
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2)
    } finally {
      await close()
    }
  })

  it('never waits on the calling thread for another connection holding the write lock', async () => {
    const path = join(dir, 'local-busy.db')
    const project = await projectIn(path)
    const store = createSqliteStore(path)
    const other = new Database(path)
    try {
      other.exec('BEGIN IMMEDIATE')
      const startedAt = Date.now()
      const answer = store.insertEvents(project.id, rowsOf(['x']))
      await new Promise((r) => setTimeout(r, 50))
      // Waiting here would have held this thread for the 5 s busy timeout.
      const stalledMs = Date.now() - startedAt
      other.exec('COMMIT')
      expect(await answer).toEqual({ inserted: 1, duplicates: 0 })
      expect(stalledMs).toBeLessThan(2_000)
    } finally {
      other.close()
      await store.close()
    }
  })

  it('still has the WAL copied into the database file by the checkpointer', async () => {
    const path = join(dir, 'local-checkpoint.db')
    const project = await projectIn(path)
    const store = createSqliteStore(path)
    try {
      const before = statSync(path).size
      for (let k = 0; k < 200; k++) {
        await store.insertEvents(
          project.id,
          rowsOf(Array.from({ length: 5 }, (_, i) => `${k}-${i}`)),
        )
      }
      await until(() => statSync(path).size > before)
    } finally {
      await store.close()
    }
  })
})
