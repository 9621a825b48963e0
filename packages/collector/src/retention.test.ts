// The retention schedule on a real SQLite file: older events go, newer stay, off keeps all.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startRetention } from './retention.ts'
import { createSqliteStore } from './store/sqlite.ts'
import { rowOf } from './store/store.contract.ts'
import { makeEvent } from './testing.ts'

const DAY_MS = 86_400_000
const NOW = Date.UTC(2026, 11, 5, 12)
const dir = mkdtempSync(join(tmpdir(), 'tightloop-retention-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('deletes events past each project’s retention on its first round, and logs what it did', async () => {
  const store = createSqliteStore(join(dir, 'retention.db'))
  await store.migrate()
  const kept = await store.createProject({ name: 'kept' }) // retention off
  const limited = await store.createProject({ name: 'limited', retentionDays: 7 })
  for (const p of [kept, limited]) {
    await store.insertEvents(p.id, [
      rowOf(makeEvent('thumbs_down'), NOW - 8 * DAY_MS),
      rowOf(makeEvent('thumbs_down'), NOW - 6 * DAY_MS),
    ])
  }
  const logged: string[] = []
  const retention = startRetention(store, { now: () => NOW, log: (m) => logged.push(m) })
  await retention.stop()
  expect(await store.countEvents(kept.id)).toBe(2)
  expect(await store.countEvents(limited.id)).toBe(1)
  expect(await store.erasureMark(limited.id)).toBeGreaterThan(0)
  expect(logged).toEqual([
    `tightloop: retention deleted 1 events of project ${limited.id} received before ${new Date(NOW - 7 * DAY_MS).toISOString()}`,
  ])
  await store.close()
})
