// Real Chromium for end-to-end tests: Debian's /usr/bin/chromium (or TIGHTLOOP_CHROMIUM)
// driven by playwright-core. Without it the browser suites skip with a line that says so;
// with TIGHTLOOP_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is a failure instead.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type LaunchOptions } from 'playwright-core'

export const chromiumPath = process.env.TIGHTLOOP_CHROMIUM ?? '/usr/bin/chromium'
export const browserAvailable = existsSync(chromiumPath)
export const browserRequired = process.env.TIGHTLOOP_REQUIRE_BROWSER === '1'

if (!browserAvailable) {
  const line = `tightloop: no Chromium at ${chromiumPath}; browser suites ${browserRequired ? 'FAIL (TIGHTLOOP_REQUIRE_BROWSER=1)' : 'are skipped'}`
  console.warn(line)
}

/** `describe.skipIf(skipBrowser)`: skip only when no browser is there and none is required. */
export const skipBrowser = !browserAvailable && !browserRequired

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A running browser with a fresh profile; `close` removes the profile. */
export interface TestBrowser {
  context: BrowserContext
  profileDir: string
  close(): Promise<void>
}

/**
 * Launches Chromium with a fresh `--user-data-dir` (a persistent context, so IndexedDB and
 * service state survive page reloads and closes inside one test, as in a real browser).
 *
 * @example const browser = await launchBrowser(); const page = await browser.context.newPage()
 */
export async function launchBrowser(
  options: Omit<LaunchOptions, 'executablePath'> & { colorScheme?: 'light' | 'dark' } = {},
): Promise<TestBrowser> {
  if (!browserAvailable) throw new Error(`Chromium not found at ${chromiumPath}`)
  const profileDir = mkdtempSync(join(tmpdir(), 'tightloop-chromium-'))
  const { colorScheme, args = [], ...rest } = options
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    ...(colorScheme && { colorScheme }),
    ...rest,
  })
  return {
    context,
    profileDir,
    async close() {
      await context.close().catch(() => {})
      rmSync(profileDir, { recursive: true, force: true })
    },
  }
}
