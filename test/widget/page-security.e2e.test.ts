// The demo and the dashboard under their Content-Security-Policy in real Chromium (issue 18,
// finding 7): both pages work with no violation, an injected inline script is refused, and a
// page on another origin cannot frame the dashboard, which holds a secret key.
import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, skipBrowser, type TestBrowser } from '../support/browser.ts'
import {
  buildBrowserAssets,
  type DemoServer,
  flushPage,
  ROOT,
  startDemoServer,
  tightloopReady,
} from './support.ts'

type ViolationWindow = Window & { violations: string[] }

/** Records every CSP violation the page reports, from its first script on. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as ViolationWindow
    w.violations = []
    document.addEventListener('securitypolicyviolation', (e) =>
      w.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    )
  })
}
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as ViolationWindow).violations)

describe.skipIf(skipBrowser)('page security headers in Chromium', () => {
  let server: DemoServer
  let browser: TestBrowser
  let framer: Server

  beforeAll(async () => {
    buildBrowserAssets()
    execFileSync('pnpm', ['--filter', '@tightloop/dashboard', 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    server = await startDemoServer(['other'])
    browser = await launchBrowser()
    // Another origin (another port) whose page tries to frame the dashboard.
    framer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<iframe id="f" src="${server.url}/dashboard/"></iframe>`)
    })
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve))
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    framer?.close()
  })

  it('sends a strict policy, no framing and no referrer on both pages', async () => {
    for (const path of ['/demo/', '/dashboard/']) {
      const res = await fetch(`${server.url}${path}`)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/)
      const scripts = csp.split('; ').find((d) => d.startsWith('script-src'))
      expect(scripts, path).not.toMatch(/unsafe/)
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer')
    }
  })

  it('runs the demo, its install snippet included, with no violation, and refuses an injected script', async () => {
    const page = await browser.context.newPage()
    await watchViolations(page)
    await page.goto(`${server.url}/demo/`)
    await tightloopReady(page)
    await page.getByRole('textbox', { name: 'Your question' }).fill('How do I change my PIN?')
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: 'Not helpful' }).first().waitFor()
    await flushPage(page)
    expect(await violations(page)).toEqual([])
    expect((await server.events()).some((e) => e.signal === 'response_shown')).toBe(true)

    await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.injected = true'
      document.head.append(s)
    })
    expect(await page.evaluate(() => (window as { injected?: boolean }).injected)).toBeUndefined()
    expect((await violations(page)).join()).toContain('script-src')
    await page.close()
  })

  it('runs the dashboard sign-in with no violation and cannot be framed by another origin', async () => {
    const page = await browser.context.newPage()
    await watchViolations(page)
    await page.goto(`${server.url}/dashboard/`)
    await page.getByLabel('Secret key').fill(server.secretKey)
    await page.getByRole('button', { name: 'Show the dashboard' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 })
    expect(await violations(page)).toEqual([])

    await page.close()

    // A fresh tab (no remembered key): the other origin's page frames the dashboard.
    const framing = await browser.context.newPage()
    const port = (framer.address() as AddressInfo).port
    await framing.goto(`http://127.0.0.1:${port}/`)
    await framing.waitForTimeout(1_000)
    const frame = framing.frames().find((f) => f !== framing.mainFrame())
    expect(frame).toBeDefined()
    // Chromium replaces a refused frame with its error page: the dashboard never loads.
    const signIn = await frame!.$('form.signin').catch(() => null)
    expect(signIn).toBeNull()
    await framing.close()
  })
})
