// The Review view in real Chromium against the deployed collector app on a real SQLite file:
// a reviewer works the queue with the keyboard only (approve, reject, edit, confirm, dismiss),
// the export reflects each decision, axe finds nothing, and the README picture is refreshed.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createSqliteStore,
  provisionProject,
  type RunningServer,
  type Store,
  startServer,
} from '@tightloop/collector'
import { makeEvent } from '@tightloop/collector/testing'
import type { Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from '../../../test/support/axe.ts'
import { launchBrowser, skipBrowser, type TestBrowser } from '../../../test/support/browser.ts'
import { createServerApp } from '../../collector/src/server-app.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const README_SHOT = join(REPO, 'apps/dashboard/docs/review.png')
const SECRET = 'sk_review_browser_secret'
const PUBLIC = 'pk_review_browser_public'
const PROMPT = 'How long does a new card take to arrive?'
const ANSWER = 'A new card arrives within ten working days of your order.'
const FIXES = [
  'A new card arrives within three working days of your order.',
  'Cards are free and arrive tomorrow if you pay by cheque.',
  'A new card arrives within five working days; express delivery takes two.',
]

describe.skipIf(skipBrowser)('the review queue in Chromium', () => {
  let dir: string
  let store: Store
  let server: RunningServer
  let browser: TestBrowser
  let page: Page
  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    })

  beforeAll(async () => {
    await build({ configFile: join(REPO, 'apps/dashboard/vite.config.ts'), logLevel: 'warn' })
    dir = mkdtempSync(join(tmpdir(), 'tightloop-review-'))
    store = createSqliteStore(join(dir, 'review.db'))
    await store.migrate()
    server = await startServer({
      fetch: createServerApp({ store }).fetch,
      port: 0,
      hostname: '127.0.0.1',
    })
    const { project } = await provisionProject(store, {
      name: 'support bot',
      publicKey: PUBLIC,
      secretKey: SECRET,
      allowedOrigins: ['*'],
    })
    await store.updateProject(project.id, { evalHoldout: false })
    const events = FIXES.map((correctionText, i) =>
      makeEvent('explicit_correction', {
        eventId: `fix-${i}`,
        requestId: `req-${i}`,
        userId: `user-${i}`,
        prompt: PROMPT,
        response: ANSWER,
        correctionText,
      }),
    )
    const res = await fetch(`${server.url}/v1/events?key=${PUBLIC}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ events }),
    })
    expect(((await res.json()) as { accepted: number }).accepted).toBe(3)
    for (const userId of ['spammer', 'unlucky']) {
      await api('/v1/adversaries', {
        method: 'POST',
        body: JSON.stringify({ userId, status: 'flagged', reason: 'burst of corrections' }),
      })
    }
    browser = await launchBrowser()
    page = await browser.context.newPage()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await store?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const remaining = () => page.locator('.review-bar .remaining').textContent()

  it('works the corrections with the keyboard only, and the export follows each decision', async () => {
    await page.goto(`${server.url}/dashboard/#review`)
    await page.keyboard.press('Tab') // the key field
    await page.keyboard.type(SECRET)
    await page.keyboard.press('Enter')
    await page.screenshot({ path: join(dir, 'debug.png') }).catch(() => {})
    await page
      .locator('.review-item')
      .waitFor({ timeout: 10_000 })
      .catch(async (e) => {
        await page.screenshot({ path: '/tmp/review-debug.png' })
        throw e
      })
    expect(await remaining()).toBe('3 left')

    // No reviewer yet: the first decision asks for a name and puts the cursor there.
    await page.keyboard.press('a')
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/reviewer/)
    await page.keyboard.type('Dana')
    await page.keyboard.press('Tab') // the note field
    await page.keyboard.press('Tab') // out of the fields: keys act again
    // The README picture: the first correction, its changed words marked.
    expect(await page.locator('.review-item ins').count()).toBeGreaterThan(0)
    expect(await page.locator('.review-item .reliability').textContent()).toMatch(
      /By user-0: none of their corrections reviewed yet/,
    )
    expect(await axeViolations(page)).toEqual([])
    mkdirSync(join(REPO, 'apps/dashboard/docs'), { recursive: true })
    await page.setViewportSize({ width: 1200, height: 640 })
    await page.screenshot({ path: README_SHOT })

    await page.keyboard.press('a') // fix-0: approve
    await expect.poll(remaining).toBe('2 left')
    await page.keyboard.press('r') // fix-1: reject
    await expect.poll(remaining).toBe('1 left')
    await page.keyboard.press('e') // fix-2: edit
    // The editor takes the focus once it is drawn; keys sent before that went to the page
    // (a CI run typed past the selection and kept the old text).
    await page.waitForFunction(() => document.activeElement instanceof HTMLTextAreaElement)
    await page.keyboard.press('Control+A')
    await page.keyboard.type('A new card arrives within five working days.')
    await page.keyboard.press('Control+Enter')
    await expect.poll(remaining).toBe('0 left')

    const lines = (await (await api('/v1/export?format=native&stats=trailer')).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const stats = lines.pop().tightloop_export_stats
    expect(lines.map((r) => [r.preferred, r.source])).toEqual(
      expect.arrayContaining([
        [FIXES[0], 'reviewed'],
        ['A new card arrives within five working days.', 'reviewed'],
      ]),
    )
    expect(lines.some((r) => r.preferred === FIXES[1])).toBe(false)
    expect(stats.dropped.rejected_by_reviewer).toBe(1)

    // Decided, each item says what the reviews make of its user: user-1, one correction
    // rejected of the project's three reviews, falls below the threshold.
    await page.getByLabel('Show').selectOption('decided')
    await page.locator('.review-item').waitFor()
    await page.locator('.review-list').focus()
    await page.keyboard.press('j')
    const said = page.locator('.review-item .reliability')
    await expect
      .poll(() => said.textContent())
      .toMatch(/By user-1: 0 approved, 1 rejected; weight ×0\.\d\d/)
    expect(await said.textContent()).toMatch(/Unreliable: their feedback does not train/)
    await page.getByLabel('Show').selectOption('pending')
    await page.locator('.review-list, .card.muted').first().waitFor()
  })

  it('confirms and dismisses flags with the keyboard, passes axe, and looks right', async () => {
    await page.keyboard.press('u')
    await expect.poll(remaining).toBe('2 left')
    await page.keyboard.press('?')
    await page.locator('.keys').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press('?')

    await page.keyboard.press('c') // spammer (listed first): confirmed
    await expect.poll(remaining).toBe('1 left')
    await page.keyboard.press('d') // unlucky: dismissed
    await expect.poll(remaining).toBe('0 left')
    const { adversaries } = (await (await api('/v1/adversaries')).json()) as {
      adversaries: { userId: string; status: string }[]
    }
    expect(Object.fromEntries(adversaries.map((a) => [a.userId, a.status]))).toMatchObject({
      spammer: 'confirmed',
      unlucky: 'dismissed',
    })
    // The decided list keeps who decided what.
    await page.getByLabel('Show').selectOption('decided')
    await page.locator('.review-item').waitFor()
    expect(await page.locator('.review-item').textContent()).toMatch(/by Dana/)
  })
})
