// What the automatic adversary scan adds to an export: a cold scan (the first export of a
// process, and every CLI export), a warm one with nothing new, and one after 1,000 new events,
// against the export itself, on a real SQLite file filled from the traffic simulation.
//
// Run: pnpm exec tsx packages/collector/bench/scan-bench.ts [honestUsers]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StoredEvent } from '@tightloop/schema'
import { DEFAULT_SIMULATION, simulateTraffic } from '../../pipeline/src/testing/traffic-sim.ts'
import { createAdversaryScanner } from '../src/adversary-scan.ts'
import { provisionProject } from '../src/provision.ts'
import { exportEvents, loadExportRules, runExport } from '../src/routes/export.ts'
import { createSqliteStore } from '../src/store/sqlite.ts'
import type { EventRow } from '../src/store/types.ts'

const HONEST = Number(process.argv[2] ?? 20_000)
const BATCH = 1_000
const dir = mkdtempSync(join(tmpdir(), 'tightloop-scan-bench-'))
const store = createSqliteStore(join(dir, 'bench.db'))
await store.migrate()
const { project } = await provisionProject(store, { name: 'bench' })
const sim = simulateTraffic({ ...DEFAULT_SIMULATION, honestUsers: HONEST })
const row = (event: StoredEvent): EventRow => ({
  eventId: event.eventId,
  signal: event.signal,
  requestId: event.requestId,
  userId: event.userId,
  occurredAt: Date.parse(event.occurredAt),
  receivedAt: Date.parse(event.receivedAt),
  productVersion: event.productVersion ?? null,
  event,
})
const last = 1_000
const initial = sim.events.slice(0, -last)
for (let i = 0; i < initial.length; i += BATCH) {
  await store.insertEvents(project.id, initial.slice(i, i + BATCH).map(row))
}
const now = DEFAULT_SIMULATION.now + 3_600_000
const time = async (f: () => Promise<unknown>) => {
  const started = performance.now()
  await f()
  return (performance.now() - started) / 1000
}
const scanner = createAdversaryScanner(store, { now: () => now })
const fresh = await store.getProject(project.id)
const cold = await time(() => scanner.scan(fresh!))
const warm = await time(() => scanner.scan(fresh!))
await store.insertEvents(project.id, sim.events.slice(-last).map(row))
const after = await time(() => scanner.scan(fresh!))
const exportSeconds = await time(async () => {
  const rules = await loadExportRules(store, fresh!, now)
  for await (const _ of runExport(exportEvents(store, project.id), rules, { format: 'native' })
    .chunks) {
    // text discarded: only the time counts
  }
})
console.log('$ pnpm exec tsx packages/collector/bench/scan-bench.ts', HONEST)
console.log(`${sim.events.length} events, ${HONEST} honest users, SQLite file`)
console.log(`cold scan (first export of a process, every CLI export): ${cold.toFixed(2)} s`)
console.log(
  `warm scan, nothing new:                                  ${(warm * 1000).toFixed(1)} ms`,
)
console.log(
  `warm scan after ${last} new events:                       ${(after * 1000).toFixed(1)} ms`,
)
console.log(
  `the native export itself:                                ${exportSeconds.toFixed(2)} s`,
)
await store.close()
rmSync(dir, { recursive: true, force: true })
