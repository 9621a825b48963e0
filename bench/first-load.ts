// The dashboard's first load after `tightloop seed` (issue 17): a user's own steps with the
// built collector, in Chromium. Start the collector once (demo project), stop it, seed 90 days
// (~1.1 M events), then per run: start the collector, open /dashboard/, sign in, and time until
// every chart is drawn. The reference, in the same run: the same with the stored stats snapshot
// made unreadable first (what a collector without snapshots read on a cold start: every event).
//
//   pnpm build && pnpm exec tsx bench/first-load.ts [--runs 3] [--answers-per-day 10000]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createSqliteStore } from '../packages/collector/src/index.ts'
import { launchBrowser } from '../test/support/browser.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'answers-per-day': { type: 'string', default: '10000' },
    'reference-limit-s': { type: 'string', default: '180' },
  },
})
const runs = Number(values.runs)
const CHARTS = 10
const root = join(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'tightloop-first-load-'))
const env = { ...process.env, TIGHTLOOP_DATABASE: join(dir, 'db.sqlite'), PORT: '8819' }
const url = `http://127.0.0.1:${env.PORT}`

async function startCollector(): Promise<{ child: ChildProcess; listenedAt: number }> {
  const child = spawn(process.execPath, ['apps/collector/dist/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const listenedAt = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('collector on')) resolve(performance.now())
    })
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)))
  })
  return { child, listenedAt }
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGINT')
  await exited
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const first = await startCollector() // creates the demo project and its keys file
  await stop(first.child)
  const seedStarted = performance.now()
  execFileSync(
    process.execPath,
    ['apps/collector/bin/tightloop.mjs', 'seed', '--answers-per-day', values['answers-per-day']!],
    { cwd: root, env, stdio: 'inherit' },
  )
  console.log(`seed: ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`)
  const { secretKey } = JSON.parse(readFileSync(join(dir, 'demo-project.json'), 'utf8'))
  const browser = await launchBrowser({ colorScheme: 'light' })

  async function firstLoad(limitMs: number) {
    const { child, listenedAt } = await startCollector()
    try {
      const page = await browser.context.newPage()
      await page.setViewportSize({ width: 1280, height: 900 })
      await page.goto(`${url}/dashboard/`)
      await page.fill('input[name=secret-key]', secretKey)
      const signedIn = performance.now()
      await page.click('button[type=submit]')
      await page.waitForFunction(
        (n) => document.querySelectorAll('figure.chart canvas').length === n,
        CHARTS,
        { timeout: limitMs, polling: 50 },
      )
      const drawn = performance.now()
      await page.close()
      return { fromSignIn: drawn - signedIn, fromStart: drawn - listenedAt }
    } finally {
      await stop(child)
    }
  }

  const withSnapshot: { fromSignIn: number; fromStart: number }[] = []
  for (let i = 0; i < runs; i++) withSnapshot.push(await firstLoad(30_000))
  // A snapshot of a format no collector reads: a cold start without one.
  const store = createSqliteStore(env.TIGHTLOOP_DATABASE)
  const [project] = await store.listProjects()
  const events = await store.countEvents(project!.id)
  const snapshot = await store.readStatsSnapshot(project!.id)
  await store.writeStatsSnapshot(project!.id, { ...snapshot!, format: -1 })
  await store.close()
  const limit = Number(values['reference-limit-s']) * 1000
  const reference = await firstLoad(limit).catch(() => null)
  await browser.close()

  const ms = (x: number) => `${Math.round(x).toLocaleString('en')} ms`
  console.log(`events stored: ${events.toLocaleString('en')}`)
  console.log(
    `with the stored snapshot (${runs} restarts): charts ${withSnapshot.map((r) => ms(r.fromSignIn)).join(', ')} after sign-in (median ${ms(median(withSnapshot.map((r) => r.fromSignIn)))}); ` +
      `${withSnapshot.map((r) => ms(r.fromStart)).join(', ')} after the collector listened`,
  )
  console.log(
    reference
      ? `reference, no snapshot: charts ${ms(reference.fromSignIn)} after sign-in, ${ms(reference.fromStart)} after the collector listened`
      : `reference, no snapshot: no charts within ${values['reference-limit-s']} s`,
  )
}

main()
  .catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }))
