// `tightloop seed` and `tightloop stats`, spawned as users run them, on a real SQLite file;
// the alerts printed are the ones GET /v1/stats answers over the same file.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createCollector,
  createSqliteStore,
  provisionProject,
  type StatsReport,
  startServer,
} from '@tightloop/collector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/tightloop.mjs', import.meta.url))
let dir: string

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(database: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { PATH: process.env.PATH, TIGHTLOOP_DATABASE: database } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}

async function newDatabase(name: string): Promise<{ file: string; secretKey: string }> {
  const file = join(dir, `${name}.db`)
  const store = createSqliteStore(file)
  await store.migrate()
  const { secretKey } = await provisionProject(store, { name })
  await store.close()
  return { file, secretKey: secretKey! }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-stats-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('tightloop seed and stats', () => {
  let trended: { file: string; secretKey: string }
  let clean: { file: string; secretKey: string }

  beforeAll(async () => {
    trended = await newDatabase('trended')
    clean = await newDatabase('clean')
    const [a, b] = await Promise.all([
      cli(trended.file, ['seed', '--days', '40', '--answers-per-day', '1500']),
      cli(clean.file, ['seed', '--days', '40', '--answers-per-day', '1500', '--clean']),
    ])
    expect(a.stderr).toBe('')
    expect(a.stdout).toMatch(
      /^Seeded trended \(.+\): [\d,]+ new events, [\s\S]*reward-hacking trend over the last 7 days/,
    )
    expect(b.stdout).toMatch(/no planted trend/)
    expect(a.stdout).toMatch(/statistics were built in [\d.]+ s of that and kept in the database/)
  }, 120_000)

  it('prints today’s alerts with their numbers, and exits 1 on them only when asked', async () => {
    const run = await cli(trended.file, ['stats'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Project trended \(.+\), \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\n/)
    expect(run.stdout).toMatch(
      /\d+ alert\(s\) on \d{4}-\d\d-\d\d:\n {2}guardrail_drift \(meanLength\): meanLength [\d.]+ over the last 3 days is -[\d.]+σ/,
    )
    expect(run.stdout).toMatch(
      / {4}current=[\d.]+ baseline=[\d.]+ sigma=[\d.]+ z=-[\d.]+ threshold=2\n/,
    )
    expect(run.stdout).toMatch(/Alerts in the range, by when each began:\nrule +first day +days\n/)
    const failing = await cli(trended.file, ['stats', '--fail-on-alert'])
    expect(failing.code).toBe(1)
    expect(failing.stdout).toBe(run.stdout)
  }, 60_000)

  it('prints no alert for clean traffic and exits 0 even with --fail-on-alert', async () => {
    const run = await cli(clean.file, ['stats', '--fail-on-alert'])
    expect(run.stdout).toMatch(/\nNo alert on \d{4}-\d\d-\d\d\.\n$/)
    expect(run.code).toBe(0)
  }, 60_000)

  it('gives the same alerts as GET /v1/stats over the same database', async () => {
    const run = await cli(trended.file, ['stats', '--json', '--days', '90'])
    expect(run.code).toBe(0)
    const fromCli = JSON.parse(run.stdout) as StatsReport
    const store = createSqliteStore(trended.file)
    await store.migrate()
    const server = await startServer({
      fetch: createCollector({ store }).fetch,
      port: 0,
      hostname: '127.0.0.1',
    })
    try {
      const since = Date.parse(fromCli.range.since!)
      // Asked until the server has built its aggregates (202 meanwhile) and derived the
      // abandonments and rephrases of the seeded sessions (`implicitSignals: running` before).
      const reports: StatsReport[] = []
      while (reports.at(-1)?.meta.implicitSignals !== 'derived') {
        if (reports.length) await new Promise((r) => setTimeout(r, 200))
        const res = await fetch(`${server.url}/v1/stats?since=${since}`, {
          headers: { authorization: `Bearer ${trended.secretKey}` },
        })
        if (res.status === 200) reports.push(await res.json())
        else await res.body?.cancel()
      }
      const fromApi = reports.at(-1)!
      // Both loaded the aggregates the seed left in the database instead of reading every event.
      expect(fromCli.meta).toMatchObject({ restored: true, rebuilt: false })
      // (The request that loaded it may have answered 202 while the derivation ran beside it.)
      expect(reports[0]!.meta.rebuilt).toBe(false)
      expect(reports[0]!.meta.eventsRead).toBeLessThan(1_000)
      expect(fromCli.meta.implicitSignals).toBe('derived')
      const derived = (r: StatsReport) => r.days.reduce((n, d) => n + d.volume.session_abandon, 0)
      expect(derived(fromCli)).toBeGreaterThan(0)
      expect(derived(fromCli)).toBe(derived(fromApi))
      expect(fromCli.currentAlerts.length).toBeGreaterThan(0)
      expect(fromCli.currentAlerts).toEqual(fromApi.currentAlerts)
      expect(fromCli.alerts).toEqual(fromApi.alerts)
      expect(fromCli.candidates).toEqual(fromApi.candidates)
    } finally {
      await server.close()
      await store.close()
    }
  }, 60_000)

  it('answers --help, and refuses bad flags with a readable message', async () => {
    const help = await cli(clean.file, ['stats', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: tightloop stats \[options\]/)
    expect(help.stdout).toMatch(/--fail-on-alert/)
    const bad = await cli(clean.file, ['stats', '--days', 'many'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe(
      'tightloop stats: --days must be a whole number from 1 to 3650, not "many"\n',
    )
    const both = await cli(clean.file, ['stats', '--days', '3', '--since', '2026-01-01'])
    expect(both.stderr).toMatch(/give --days or --since, not both/)
    const unknown = await cli(clean.file, ['stats', '--verbose'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown option '--verbose'/)
    const missing = await cli(join(dir, 'nope.db'), ['stats'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no database at .*nope\.db/)
    const seedHelp = await cli(clean.file, ['seed', '--help'])
    expect(seedHelp.stdout).toMatch(/^Usage: tightloop seed \[options\]/)
  }, 60_000)
})
