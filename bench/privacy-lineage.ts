// What export lineage and an erasure cost on SQLite: one export run of N events from U users is
// recorded (one lineage row per user), then one user is erased (secure delete + WAL truncate).
// Usage: npx tsx bench/privacy-lineage.ts [events=200000] [users=10000]
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStore, type EventRow } from '../packages/collector/src/index.ts'
import { makeEvent } from '../packages/collector/src/testing.ts'

// The driver is the collector package's dependency, not the workspace root's.
const Database = createRequire(new URL('../packages/collector/package.json', import.meta.url))(
  'better-sqlite3',
) as typeof import('better-sqlite3')

async function main() {
  const events = Number(process.argv[2] ?? 200_000)
  const users = Number(process.argv[3] ?? 10_000)
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-lineage-'))
  const path = join(dir, 'bench.db')
  const store = createSqliteStore(path)
  await store.migrate()
  const p = await store.createProject({ name: 'bench' })
  const t0 = Date.now() - 3_600_000
  for (let i = 0; i < events; i += 1_000) {
    const rows: EventRow[] = []
    for (let k = 0; k < 1_000 && i + k < events; k++) {
      const event = makeEvent('thumbs_down', { userId: `user-${(i + k) % users}` })
      const receivedAt = t0 + i + k
      rows.push({
        eventId: event.eventId,
        signal: event.signal,
        requestId: event.requestId,
        userId: event.userId,
        occurredAt: receivedAt,
        receivedAt,
        productVersion: null,
        event: {
          ...event,
          receivedAt: new Date(receivedAt).toISOString(),
          clientOccurredAt: event.occurredAt,
        },
      })
    }
    await store.insertEvents(p.id, rows)
  }
  let t = performance.now()
  await store.recordExport(p.id, {
    exportedAt: new Date().toISOString(),
    format: 'native',
    range: { since: null, until: null },
    rules: {},
    events,
    records: events,
    complete: true,
    via: 'cli',
    userIds: Array.from({ length: users }, (_, u) => `user-${u}`),
  })
  const recordMs = performance.now() - t
  const stat = new Database(path, { readonly: true })
  const lineageBytes = stat
    .prepare("SELECT sum(pgsize) FROM dbstat WHERE name = 'export_users'")
    .pluck()
    .get()
  stat.close()
  t = performance.now()
  const erased = await store.eraseUser(p.id, 'user-7', Date.now())
  const eraseMs = performance.now() - t
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(
    JSON.stringify({
      events,
      users,
      recordMs: Math.round(recordMs),
      lineageBytes,
      erasedEvents: erased.events,
      exportsNamed: erased.exports.length,
      storageCleared: erased.storageCleared,
      eraseMs: Math.round(eraseMs),
    }),
  )
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
