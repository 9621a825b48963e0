// The dashboard in real Chromium, served by the `pnpm start` server process on seeded data:
// sign-in (wrong key, public key, right key), the charts drawn with data, the alerts and the
// breakdowns, light and dark screenshots checked pixel by pixel, and the key kept out of URLs.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSqliteStore, provisionProject, startServer as startHttp } from '@tightloop/collector'
import type { Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from '../../../test/support/axe.ts'
import { launchBrowser, skipBrowser, type TestBrowser } from '../../../test/support/browser.ts'
import { readConfig } from '../../collector/src/config.ts'
import { demoKeysPath, ensureDemoProject } from '../../collector/src/demo-project.ts'
import { answersPerDayForToday, seedProject } from '../../collector/src/seed.ts'
import { createServerApp } from '../../collector/src/server-app.ts'
import { openStore } from '../../collector/src/store.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const SHOTS = join(REPO, 'test-results/dashboard')
const CHARTS = 10
const PAGE_BUDGET_MS = 1_000

let dir: string
let server: ChildProcess | undefined
let url: string
let secretKey: string
let publicKey: string

/** Starts apps/collector's main.ts (what `pnpm start` runs after the build) on a free port. */
async function startServer(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/collector/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server = child
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /collector on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${output}`)))
  })
}

beforeAll(async () => {
  if (skipBrowser) return
  await build({ configFile: join(REPO, 'apps/dashboard/vite.config.ts'), logLevel: 'warn' })
  dir = mkdtempSync(join(tmpdir(), 'tightloop-dashboard-'))
  const env = { TIGHTLOOP_DATABASE: join(dir, 'tightloop.db'), PORT: '0', HOST: '127.0.0.1' }
  // The demo project as a first `pnpm start` makes it, then seeded traffic in it.
  const config = readConfig(env, dir)
  const store = await openStore(config.database)
  const demo = await ensureDemoProject(store, config)
  await seedProject(store, demo.project.id, { days: 40, answersPerDay: 3_000 })
  await store.close()
  const keys = JSON.parse(readFileSync(demoKeysPath(config), 'utf8'))
  secretKey = keys.secretKey
  publicKey = keys.publicKey
  url = await startServer(env)
  // The server's first read of the project is a cold build; the page budget is for later loads.
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${url}/v1/stats`, {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    if (res.status === 200) break
    expect(res.status).toBe(202)
    await new Promise((r) => setTimeout(r, 500))
  }
  mkdirSync(SHOTS, { recursive: true })
}, 180_000)

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r))
    server.kill('SIGTERM')
    await exited
  }
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Relative luminance 0–255 of a pixel. */
function luminance(png: PNG, x: number, y: number): number {
  const i = (png.width * y + x) * 4
  return 0.2126 * png.data[i]! + 0.7152 * png.data[i + 1]! + 0.0722 * png.data[i + 2]!
}

/** Share of pixels far (> 40 luminance) from the background sampled at the top-left corner. */
function inkShare(png: PNG): number {
  const background = luminance(png, 2, 2)
  let ink = 0
  for (let y = 0; y < png.height; y += 2) {
    for (let x = 0; x < png.width; x += 2) {
      if (Math.abs(luminance(png, x, y) - background) > 40) ink += 1
    }
  }
  return ink / Math.ceil(png.height / 2) / Math.ceil(png.width / 2)
}

/** Per chart: canvas pixels drawn (alpha > 0) and the legend's series labels. */
async function chartPixels(page: Page) {
  return page.$$eval('figure.chart', (figures) =>
    figures.map((figure) => {
      const canvas = figure.querySelector('canvas')
      let drawn = 0
      if (canvas) {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn += 1
      }
      return {
        id: figure.getAttribute('data-chart'),
        drawn,
        labels: [...figure.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent),
      }
    }),
  )
}

async function signIn(page: Page, key: string) {
  await page.fill('input[name=secret-key]', key)
  await page.click('button[type=submit]')
}

describe.skipIf(skipBrowser)('dashboard in Chromium', () => {
  let browser: TestBrowser

  beforeAll(async () => {
    browser = await launchBrowser({ colorScheme: 'light' })
  })
  afterAll(() => browser?.close())

  it('refuses a wrong key and a public key with a clear message', async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(`${url}/dashboard/`)
    await signIn(page, 'sk_this_is_not_the_key')
    await expect
      .poll(() => page.textContent('[role=alert]'))
      .toMatch(/That key was not accepted. Use the secret key \(sk_…\) of this project/)
    await signIn(page, publicKey)
    await expect.poll(() => page.textContent('[role=alert]')).toMatch(/public key \(pk_…\)/)
    expect(await page.$('figure.chart')).toBeNull()
    expect(page.url()).toBe(`${url}/dashboard/`)
    expect(await axeViolations(page)).toEqual([])
    await page.close()
  })

  it('shows charts with their bands, alerts and breakdowns; the key stays out of URLs', async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1280, height: 900 })
    const requested: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    await page.goto(`${url}/dashboard/`)
    const started = Date.now()
    await signIn(page, secretKey)
    await page.waitForFunction(
      (n) => document.querySelectorAll('figure.chart canvas').length === n,
      CHARTS,
    )
    const signInMs = Date.now() - started

    const charts = await chartPixels(page)
    expect(charts.map((c) => c.id)).toEqual([
      'shown',
      'volume',
      'rates',
      'versions',
      'thumbsUpRate',
      'csat',
      'taskCompletion',
      'meanLength',
      'meanTypeTokenRatio',
      'meanSpecificity',
    ])
    for (const chart of charts) expect(chart.drawn, chart.id ?? '').toBeGreaterThan(2_000)
    const length = charts.find((c) => c.id === 'meanLength')!
    expect(length.labels).toEqual(
      expect.arrayContaining([
        'daily',
        '3-day mean',
        'baseline ±2σ (upper)',
        'baseline ±2σ (lower)',
      ]),
    )

    // The seeded trend (answers shorter for a week, CSAT down, thumbs-up flat) is on screen:
    // today's alerts, and when each kind began. (Days before today are the same whatever the
    // time of day the test runs; today's partial day is not, so reward hacking, which CSAT's
    // noise at 3,000 answers a day lets through on some days only, is checked over the range.)
    const today = await page.$$eval('.alert', (items) =>
      items.map((li) => li.getAttribute('data-rule')),
    )
    expect(today).toContain('guardrail_drift')
    expect(await page.textContent('.alert[data-rule=guardrail_drift]')).toMatch(
      /^Guardrail drift · meanLength.*σ from its 14-day baseline/,
    )
    const began = await page.$$eval('details tr[data-rule]', (rows) =>
      rows.map((r) => [r.getAttribute('data-rule'), r.textContent]),
    )
    const rewardHacking = began.find(([rule]) => rule === 'reward_hacking')
    expect(rewardHacking?.[1]).toMatch(/CSAT fell to .* while the thumbs-up rate held/)
    const reasons = await page.$$eval('[data-section=escalations] tr[data-reason]', (rows) =>
      rows.map((r) => r.getAttribute('data-reason')),
    )
    expect(reasons).toHaveLength(6)
    const drops = await page.$$eval('[data-table=drops] tr[data-reason]', (rows) =>
      rows.map((r) => r.getAttribute('data-reason')),
    )
    expect(drops).toEqual(
      expect.arrayContaining([
        'excluded_signal',
        'adversarial_user',
        'before_version_change',
        'csat_not_negative',
        'typo_correction',
      ]),
    )
    const signals = await page.$$eval('[data-table=by-signal] tr[data-signal]', (rows) =>
      rows.map((r) => r.getAttribute('data-signal')),
    )
    expect(signals).toEqual(expect.arrayContaining(['explicit_correction', 'agent_escalation']))
    expect(await page.$$('[data-section=gates] tr[data-promote]')).toHaveLength(3)

    // The key: in this tab's sessionStorage only, never in a URL.
    expect(page.url()).toBe(`${url}/dashboard/`)
    expect(requested.some((u) => u.includes(secretKey))).toBe(false)
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([])
    expect(await page.evaluate(() => sessionStorage.getItem('tightloop.dashboard.key'))).toBe(
      secretKey,
    )

    // A reload signs in from the tab's storage: the whole page (HTML, script, the stats
    // request, ten charts drawn) against the budget. Best of three, so a test runner that
    // shares its CPU with other suites does not fail it; a page that is slow every time does.
    const reloads: number[] = []
    for (let i = 0; i < 3; i++) {
      const reloadStart = Date.now()
      await page.reload()
      await page.waitForFunction(
        (n) => document.querySelectorAll('figure.chart canvas').length === n,
        CHARTS,
      )
      reloads.push(Date.now() - reloadStart)
    }
    const computeMs = Number(
      /Computed in (\d+) ms/.exec((await page.textContent('.summary')) ?? '')?.[1],
    )
    writeFileSync(
      join(SHOTS, 'timings.json'),
      `${JSON.stringify({ signInMs, reloads, serverComputeMs: computeMs })}\n`,
    )
    expect(Math.min(...reloads)).toBeLessThan(PAGE_BUDGET_MS)

    // Light, then dark (the system setting changes while the page is open).
    expect(await axeViolations(page)).toEqual([])
    const light = PNG.sync.read(await page.screenshot({ fullPage: true }))
    writeFileSync(join(SHOTS, 'light.png'), PNG.sync.write(light))
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.waitForFunction(
      () => getComputedStyle(document.body).backgroundColor === 'rgb(15, 18, 22)',
    )
    await page.waitForTimeout(200) // charts redraw on the scheme change
    const dark = PNG.sync.read(await page.screenshot({ fullPage: true }))
    writeFileSync(join(SHOTS, 'dark.png'), PNG.sync.write(dark))

    expect(luminance(light, 2, 2)).toBeGreaterThan(230)
    expect(luminance(dark, 2, 2)).toBeLessThan(30)
    for (const shot of [light, dark]) {
      const ink = inkShare(shot)
      expect(ink).toBeGreaterThan(0.03) // text, tables and chart lines
      expect(ink).toBeLessThan(0.6) // not a blank or inverted page
    }
    expect(await axeViolations(page)).toEqual([])
    const darkCharts = await chartPixels(page)
    for (const chart of darkCharts) expect(chart.drawn, chart.id ?? '').toBeGreaterThan(2_000)
    // Chart text follows the scheme: axis labels are light on dark.
    const axisColor = await page.$eval('figure.chart', (f) =>
      getComputedStyle(f).getPropertyValue('--fg-muted').trim(),
    )
    expect(axisColor).toBe('#9aa4b2')
    await page.close()
  })
})

// The first run: a project with one day of events. The defect: every chart empty (a one-point
// line draws nothing), the x-axis spanning 2027–2029, count ticks reading "2, 2, 2, 1, 1".
describe.skipIf(skipBrowser)('dashboard on one day of data, in Chromium', () => {
  let browser: TestBrowser
  let oneUrl: string
  let oneKey: string
  let close: () => Promise<void>

  beforeAll(async () => {
    const oneDir = mkdtempSync(join(tmpdir(), 'tightloop-dashboard-one-'))
    const store = createSqliteStore(join(oneDir, 'one.db'))
    await store.migrate()
    oneKey = 'sk_dashboard_one_day_secret'
    const { project } = await provisionProject(store, {
      name: 'one day',
      publicKey: 'pk_dashboard_one_day',
      secretKey: oneKey,
    })
    // The seed fills today only up to a few minutes before `now`, in proportion to the hours
    // gone: just after midnight UTC, 60 a day gave 2 answers and no CSAT (CI at 00:48 failed).
    // The clock is set to 00:06 UTC, the worst case, and the rate scaled to 200 answers today.
    const day = 86_400_000
    const now = Math.min(Date.now(), Math.floor(Date.now() / day) * day + 6 * 60_000)
    await seedProject(store, project.id, {
      days: 1,
      answersPerDay: answersPerDayForToday(200, now),
      now,
    })
    const one = await startHttp({ fetch: createServerApp({ store }).fetch, port: 0 })
    oneUrl = one.url
    browser = await launchBrowser({ colorScheme: 'light' })
    close = async () => {
      await browser.close()
      await one.close()
      await store.close()
      rmSync(oneDir, { recursive: true, force: true })
    }
  }, 120_000)
  afterAll(() => close?.())

  it('draws real charts on the data’s date, whole distinct count ticks, and says what is thin', async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(`${oneUrl}/dashboard/`)
    await signIn(page, oneKey)
    await page.waitForSelector('figure.chart[data-chart=shown][data-y-ticks]')
    const today = new Date()
    const label = `${today.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${today.getUTCDate()}, ${today.getUTCFullYear()}`
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const canvas = figure.querySelector('canvas')
        // Pixels of the first series' colour: the data, not the axes or the grid.
        const probe = document.createElement('span')
        probe.style.color = getComputedStyle(figure).getPropertyValue('--series-1')
        document.body.append(probe)
        const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number)
        probe.remove()
        let ink = 0
        if (canvas) {
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
          for (let i = 0; i < px.length; i += 4) {
            const near =
              Math.abs(px[i]! - r!) < 40 &&
              Math.abs(px[i + 1]! - g!) < 40 &&
              Math.abs(px[i + 2]! - b!) < 40
            if (near && px[i + 3]! > 200) ink += 1
          }
        }
        return {
          id: figure.getAttribute('data-chart'),
          ink,
          x: figure.getAttribute('data-x-ticks'),
          y: figure.getAttribute('data-y-ticks'),
          shortage: figure.querySelector('[data-shortage]')?.textContent ?? null,
        }
      }),
    )
    const shown = charts.find((c) => c.id === 'shown')!
    expect(shown.ink).toBeGreaterThan(20) // the day's point
    expect(shown.x).toBe(label)
    const counts = shown.y!.split('|')
    expect(counts.every((t) => /^\d[\d,]*$/.test(t))).toBe(true)
    expect(new Set(counts).size).toBe(counts.length)
    for (const chart of charts) {
      if (chart.x) expect(chart.x, chart.id!).toBe(label)
      if (chart.y) {
        const ticks = chart.y.split('|')
        expect(new Set(ticks).size, `${chart.id}: ${chart.y}`).toBe(ticks.length)
      }
      expect(chart.shortage, chart.id!).toMatch(/^(One day of data|Too little data)/)
    }
    expect(charts.find((c) => c.id === 'csat')!.shortage).toMatch(/need 17 days of history/)
    writeFileSync(join(SHOTS, 'one-day.png'), await page.screenshot({ fullPage: true }))
    await page.close()
  })
})
