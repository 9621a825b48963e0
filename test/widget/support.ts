// Helpers of the widget's browser tests: the deployed collector app on a temp SQLite file
// with fresh builds of the script tag and the demo, keyboard-only navigation, pixel stats.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
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
import type { Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { createServerApp } from '../../apps/collector/src/server-app.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

let built = false

/**
 * Builds the script tag and the demo page (what `pnpm build` does for them), once per test
 * file, so the browser runs the current source even when the tests run alone.
 */
export function buildBrowserAssets() {
  if (built) return
  for (const pkg of ['@tightloop/embed', '@tightloop/demo'])
    execFileSync('pnpm', ['--filter', pkg, 'build'], { cwd: ROOT, stdio: 'pipe' })
  built = true
}

/** The deployed app (API, /tightloop.js, /demo/) on loopback, one project allowed its origin. */
export interface DemoServer extends RunningServer {
  store: Store
  publicKey: string
  secretKey: string
  /** Every stored event, as `GET /v1/events` answers it. */
  events(): Promise<Record<string, unknown>[]>
}

/**
 * Starts `createServerApp` (as `pnpm start` does) on port 0 over a temp SQLite file.
 *
 * @example const server = await startDemoServer(['wrong_answer', 'other'])
 */
export async function startDemoServer(escalationReasons: string[]): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-widget-e2e-'))
  const store = createSqliteStore(join(dir, 'tightloop.db'))
  await store.migrate()
  let app: ReturnType<typeof createServerApp> | undefined
  const server = await startServer({
    port: 0,
    fetch: (req, env) => (app ? app.fetch(req, env) : new Response('starting', { status: 503 })),
  })
  const project = await provisionProject(store, {
    name: 'widget-e2e',
    allowedOrigins: [server.url],
    escalationReasons,
  })
  app = createServerApp({ store, demoPublicKey: project.publicKey })
  return {
    ...server,
    store,
    publicKey: project.publicKey,
    secretKey: project.secretKey!,
    async events() {
      const res = await fetch(`${server.url}/v1/events`, {
        headers: { authorization: `Bearer ${project.secretKey}` },
      })
      const text = await res.text()
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    },
    async close() {
      await server.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The accessible name and tag of the focused element, looking into shadow roots. */
export function focusedControl(page: Page): Promise<{ name: string; tag: string }> {
  return page.evaluate(() => {
    let el = document.activeElement
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
    if (!el) return { name: '', tag: '' }
    const label = (el as HTMLInputElement).labels?.[0]
    const name =
      el.getAttribute('aria-label') ??
      label?.firstChild?.textContent ??
      label?.textContent ??
      el.textContent ??
      ''
    return { name: name.trim(), tag: el.localName }
  })
}

/**
 * Presses Tab (Shift+Tab with `back`) until the control named `name` has focus: what a
 * keyboard user does.
 */
export async function tabTo(page: Page, name: string, options: { back?: boolean } = {}) {
  for (let i = 0; i < 80; i++) {
    if ((await focusedControl(page)).name === name) return
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`"${name}" is not reachable with Tab`)
}

/** What the script tag leaves on `window`, as far as the tests use it. */
type TightloopWindow = { tightloop: { ready: Promise<void>; flush(): Promise<void> } }

/** Resolves once the page's script tag has defined its elements and put up its bars. */
export const tightloopReady = (page: Page) =>
  page.evaluate(() => (window as unknown as TightloopWindow).tightloop.ready)

/** Sends what the page's client has queued. */
export const flushPage = (page: Page) =>
  page.evaluate(() => (window as unknown as TightloopWindow).tightloop.flush())

export { axeViolations } from '../support/axe.ts'

/** Luminance statistics of a PNG: mean, and the share of pixels far from the median. */
export function pixelStats(png: Buffer) {
  const image = PNG.sync.read(png)
  const lums: number[] = []
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!]
    lums.push(0.2126 * r + 0.7152 * g + 0.0722 * b)
  }
  const sorted = [...lums].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const mean = lums.reduce((a, b) => a + b, 0) / lums.length
  const far = lums.filter((l) => Math.abs(l - median) > 60).length / lums.length
  return { width: image.width, height: image.height, mean, median, contrastShare: far }
}
