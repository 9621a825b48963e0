// Refreshes the README pictures of the first run: the dashboard after one day of data and the
// demo chat with its controls open, taken in Chromium against an in-process collector.
//
//   pnpm -r --if-present build && pnpm exec tsx apps/dashboard/scripts/screenshots.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSqliteStore, provisionProject, startServer } from '@tightloop/collector'
import { launchBrowser } from '../../../test/support/browser.ts'
import { answersPerDayForToday, seedProject } from '../../collector/src/seed.ts'
import { createServerApp } from '../../collector/src/server-app.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const DASHBOARD_SHOT = join(REPO, 'apps/dashboard/docs/first-run.png')
const DEMO_SHOT = join(REPO, 'apps/demo/docs/demo.png')
const SECRET_KEY = 'sk_screenshots_secret'
const PUBLIC_KEY = 'pk_screenshots_public'

const dir = mkdtempSync(join(tmpdir(), 'tightloop-screenshots-'))
const store = createSqliteStore(join(dir, 'shots.db'))
await store.migrate()
const app = createServerApp({ store, demoPublicKey: PUBLIC_KEY })
const server = await startServer({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
// The demo page sends from the server's own origin, known once it listens.
const { project } = await provisionProject(store, {
  name: 'first day',
  publicKey: PUBLIC_KEY,
  secretKey: SECRET_KEY,
  allowedOrigins: [server.url],
})
// About 60 answers today, whatever the hour the pictures are taken.
const now = Date.now()
await seedProject(store, project.id, {
  days: 1,
  answersPerDay: answersPerDayForToday(60, now),
  now,
})
const browser = await launchBrowser({ colorScheme: 'light' })
try {
  const page = await browser.context.newPage()
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(`${server.url}/dashboard/`)
  await page.fill('input[name=secret-key]', SECRET_KEY)
  await page.click('button[type=submit]')
  await page.waitForSelector('figure.chart[data-chart=meanSpecificity][data-y-ticks]')
  await page.screenshot({ path: DASHBOARD_SHOT, fullPage: false })

  const demo = await browser.context.newPage()
  await demo.setViewportSize({ width: 1100, height: 820 })
  await demo.goto(`${server.url}/demo/`)
  await demo.waitForFunction(() => customElements.get('tightloop-feedback') !== undefined)
  await demo.fill('#question', 'How do I reset my PIN?')
  await demo.press('#question', 'Enter')
  await demo.waitForSelector('.msg.bot tightloop-feedback')
  await demo.waitForTimeout(500) // the widget renders into its shadow root
  // "Talk to a person" opened: its panel below, "End chat" where it was.
  await demo.click('.actions tightloop-escalate >> text=Talk to a person')
  await demo.waitForTimeout(300)
  await demo.waitForFunction(() =>
    /^All feedback/.test(document.getElementById('status')!.textContent!),
  )
  await demo.screenshot({ path: DEMO_SHOT, fullPage: true })
  // The language switch: the page's words follow, not only the widget's (kept out of the README).
  await demo.selectOption('#lang', 'de')
  await demo.waitForTimeout(300)
  await demo.screenshot({ path: join(REPO, 'test-results/demo-de.png'), fullPage: true })
  await demo.selectOption('#lang', 'en')
  console.log(`wrote ${DASHBOARD_SHOT}\nwrote ${DEMO_SHOT}`)
} finally {
  await browser.close()
  const keepAlive = setInterval(() => {}, 60_000) // the SQLite writer threads are unref'd
  await server.close()
  await store.close()
  clearInterval(keepAlive)
  rmSync(dir, { recursive: true, force: true })
}
