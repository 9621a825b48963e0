// A support site on another origin, in real Chromium: set up with TIGHTLOOP_ALLOWED_ORIGINS
// alone its events arrive; a site the project does not list learns why, in status and console.

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createSqliteStore,
  type RunningServer,
  type Store,
  startServer,
} from '@tightloop/collector'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../../apps/collector/src/config.ts'
import { ensureDemoProject } from '../../apps/collector/src/demo-project.ts'
import { createServerApp } from '../../apps/collector/src/server-app.ts'
import { launchBrowser, skipBrowser, type TestBrowser } from '../support/browser.ts'
import { buildBrowserAssets } from './support.ts'

/** A plain site on its own loopback port: one page with the script tag. */
async function startSite(page: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(page())
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

describe.skipIf(skipBrowser)('a support site on another origin', () => {
  let dir: string
  let store: Store
  let collector: RunningServer
  let browser: TestBrowser
  let publicKey = ''
  let secretKey = ''
  const html = () => `<!doctype html><html lang="en"><body>
    <script src="${collector.url}/tightloop.js" data-key="${publicKey}"></script></body></html>`
  let allowed: Awaited<ReturnType<typeof startSite>>
  let refused: Awaited<ReturnType<typeof startSite>>

  beforeAll(async () => {
    buildBrowserAssets()
    dir = mkdtempSync(join(tmpdir(), 'tightloop-cross-origin-'))
    allowed = await startSite(html)
    refused = await startSite(html)
    const database = join(dir, 'tightloop.db')
    store = createSqliteStore(database)
    await store.migrate()
    // What `pnpm start` does with only TIGHTLOOP_ALLOWED_ORIGINS set (no TIGHTLOOP_PUBLIC_KEY).
    const config = readConfig(
      { TIGHTLOOP_DATABASE: database, TIGHTLOOP_ALLOWED_ORIGINS: allowed.url },
      dir,
    )
    const demo = await ensureDemoProject(store, config)
    publicKey = demo.publicKey
    secretKey = demo.secretKey!
    const app = createServerApp({ store, demoPublicKey: publicKey })
    collector = await startServer({ port: 0, fetch: app.fetch })
    browser = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await collector?.close()
    allowed?.server.close()
    refused?.server.close()
    await store?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const vote = async (page: Page, site: string, requestId: string) => {
    await page.goto(site)
    await page.waitForFunction(
      () => typeof (window as { tightloop?: { status?: unknown } }).tightloop?.status === 'object',
    )
    await page.evaluate(async (id) => {
      const t = (
        window as unknown as {
          tightloop: { thumbsDown(a: object): Promise<void>; flush(): Promise<void> }
        }
      ).tightloop
      await t.thumbsDown({ requestId: id, prompt: 'Where is my card?', response: 'In the post.' })
      await t.flush()
    }, requestId)
  }
  const storedIds = async () => {
    const res = await fetch(`${collector.url}/v1/events`, {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    return (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).requestId as string)
  }

  it('delivers the events of a site allowed by TIGHTLOOP_ALLOWED_ORIGINS alone', async () => {
    const page = await browser.context.newPage()
    await vote(page, allowed.url, 'req_allowed')
    for (let i = 0; i < 50 && !(await storedIds()).includes('req_allowed'); i++)
      await page.waitForTimeout(100)
    expect(await storedIds()).toContain('req_allowed')
    await page.close()
  })

  it('tells a refused site why, in status and in one console warning', async () => {
    const page = await browser.context.newPage()
    const warnings: string[] = []
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()))
    await vote(page, refused.url, 'req_refused')
    await page.waitForFunction(
      () =>
        (window as unknown as { tightloop: { status: { value: { error?: string } } } }).tightloop
          .status.value.error,
      undefined,
      { timeout: 10_000 },
    )
    const status = await page.evaluate(
      () =>
        (
          window as unknown as {
            tightloop: { status: { value: { error?: string; message?: string } } }
          }
        ).tightloop.status.value,
    )
    expect(status.error).toBe('origin_not_allowed')
    expect(status.message).toContain(refused.url)
    expect(status.message).toContain('TIGHTLOOP_ALLOWED_ORIGINS')
    const ours = warnings.filter((w) => w.startsWith('tightloop:'))
    expect(ours).toHaveLength(1)
    expect(ours[0]).toContain(refused.url)
    expect(await storedIds()).not.toContain('req_refused')
    await page.close()
  })
})
