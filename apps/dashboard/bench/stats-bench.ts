// How fast GET /v1/stats answers on 90 days × 10,000 answers a day (the dashboard's budget is
// a page that loads in under a second): cold (every event read and measured once), warm (the
// incremental aggregates), and warm with a minute of fresh traffic in the unsettled tail.
//
//   pnpm exec tsx apps/dashboard/bench/stats-bench.ts [--days 90] [--per-day 10000] [--keep]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  createCollector,
  createSqliteStore,
  provisionProject,
  startServer,
} from '@tightloop/collector'
import { generateTraffic, insertTraffic, seedProject } from '../../collector/src/seed.ts'

const BUDGET_MS = 1_000 // the whole page; the API gets what is left after the ~100 ms of rendering
const WARM_RUNS = 15

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '90' },
    'per-day': { type: 'string', default: '10000' },
    keep: { type: 'boolean', default: false },
  },
})
const days = Number(values.days)
const perDay = Number(values['per-day'])

const dir = mkdtempSync(join(tmpdir(), 'tightloop-stats-bench-'))
const file = join(dir, 'bench.db')
const store = createSqliteStore(file)
await store.migrate()
const { project, secretKey } = await provisionProject(store, { name: 'bench' })

let t = performance.now()
const seeded = await seedProject(store, project.id, { days, answersPerDay: perDay })
const seedMs = performance.now() - t
console.log(
  `seeded ${seeded.events.toLocaleString('en')} events (${days} days × ${perDay.toLocaleString('en')} answers) in ${(seedMs / 1000).toFixed(1)} s; SQLite file ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`,
)

const app = createCollector({ store })
const server = await startServer({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })

async function fetchStats() {
  const started = performance.now()
  const res = await fetch(`${server.url}/v1/stats`, {
    headers: { authorization: `Bearer ${secretKey}` },
  })
  const text = await res.text()
  const ms = performance.now() - started
  if (res.status !== 200) throw new Error(`GET /v1/stats ${res.status}: ${text.slice(0, 200)}`)
  const body = JSON.parse(text) as {
    meta: { eventsRead: number; computeMs: number }
    days: unknown[]
    currentAlerts: { rule: string }[]
  }
  return { ms, bytes: text.length, body }
}

t = performance.now()
const cold = await fetchStats()
console.log(
  `cold: ${cold.ms.toFixed(0)} ms (read ${cold.body.meta.eventsRead.toLocaleString('en')} events; ${cold.body.days.length} days; ${(cold.bytes / 1024).toFixed(0)} KiB JSON; alerts today: ${cold.body.currentAlerts.map((a) => a.rule).join(', ') || 'none'})`,
)
const warm: number[] = []
for (let i = 0; i < WARM_RUNS; i++) warm.push((await fetchStats()).ms)
warm.sort((a, b) => a - b)
const median = warm[Math.floor(WARM_RUNS / 2)]!
const max = warm[WARM_RUNS - 1]!
console.log(
  `warm: median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms over ${WARM_RUNS} requests`,
)

// New traffic arrives between two requests: read once, then folded in.
const fresh = await insertTraffic(
  store,
  project.id,
  generateTraffic({ days: 1, answersPerDay: 2_000, seed: 7, rewardHackingDaysAgo: null }),
)
const withFresh = await fetchStats()
console.log(
  `warm after ${fresh.events.toLocaleString('en')} new events: ${withFresh.ms.toFixed(0)} ms (read ${withFresh.body.meta.eventsRead.toLocaleString('en')} events)`,
)

// The SQLite writer threads are unref'd and close() waits for them: hold the loop meanwhile.
const keepAlive = setInterval(() => {}, 60_000)
await server.close()
await store.close()
clearInterval(keepAlive)
if (!values.keep) rmSync(dir, { recursive: true, force: true })
const ok = median < BUDGET_MS
console.log(
  `${ok ? 'PASS' : 'FAIL'}: warm median ${median.toFixed(0)} ms against a ${BUDGET_MS} ms page budget`,
)
process.exitCode = ok ? 0 : 1
