import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { skipBrowser } from '../support/browser.ts'
import {
  type ClientWindow,
  openClientPage,
  storedEvents,
  tally,
  useClientHarness,
  waitUntil,
} from '../support/client-page.ts'

// Init scripts that break IndexedDB before the page's own code runs, the ways browsers do.
const BREAKAGES: Record<string, string> = {
  // Safari private mode, sandboxed frames: open throws.
  'indexedDB.open throws SecurityError': `
    IDBFactory.prototype.open = function () {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    }`,
  // Firefox private mode: open returns a request that fails.
  'indexedDB.open fails with InvalidStateError': `
    IDBFactory.prototype.open = function () {
      const request = new EventTarget()
      const error = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError')
      Object.defineProperty(request, 'error', { get: () => error })
      Object.defineProperty(request, 'result', { get: () => { throw error } })
      setTimeout(() => {
        const event = new Event('error', { cancelable: true })
        request.onerror?.(event)
        request.dispatchEvent(event)
      }, 5)
      return request
    }`,
  // Very old or locked-down browsers: no IndexedDB at all.
  'indexedDB is missing': `
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true })`,
  // A full disk: every write throws QuotaExceededError.
  'every write throws QuotaExceededError': `
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }`,
}

// Counts what the page could see as an error: uncaught errors and unhandled rejections.
const WATCH_ERRORS = `
  window.__errors = []
  addEventListener('error', (e) => window.__errors.push(String(e.message)))
  addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)))`

describe.skipIf(skipBrowser)('client in Chromium: storage', { timeout: 45_000 }, () => {
  const env = useClientHarness('storage')

  it('a call resolves only after its IndexedDB transaction committed', async () => {
    const page = await env.browser.context.newPage()
    await openClientPage(page, env.site.pageUrl(env.collector.publicKey))
    // Offline, so nothing is sent and deleted while we look.
    await env.browser.context.setOffline(true)
    const found = await page.evaluate(async (key) => {
      const { client } = window as unknown as ClientWindow
      // A second connection of our own: it sees only what has committed.
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(`tightloop-${key}`)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error)
      })
      const visible: boolean[] = []
      for (let i = 0; i < 20; i++) {
        const requestId = `durable-${i}`
        await client.thumbsDown({ requestId })
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction('queue').objectStore('queue').getAll()
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error)
        })
        visible.push(values.some((v) => typeof v === 'string' && v.includes(`"${requestId}"`)))
      }
      db.close()
      return visible
    }, env.collector.publicKey)
    expect(found).toEqual(Array(20).fill(true))
    await env.browser.context.setOffline(false)
    expect(
      await waitUntil(async () => (await storedEvents(env.collector)).length === 20, 10_000),
    ).toBe(true)
    await page.close()
  })

  for (const [name, breakage] of Object.entries(BREAKAGES)) {
    it(`${name}: no error reaches the page, events go from memory`, async () => {
      const page: Page = await env.browser.context.newPage()
      const pageErrors: Error[] = []
      page.on('pageerror', (error) => pageErrors.push(error))
      await page.addInitScript(`${WATCH_ERRORS}\n${breakage}`)
      await openClientPage(page, env.site.pageUrl(env.collector.publicKey))

      const ids = Array.from({ length: 10 }, (_, i) => `memory-${i}`)
      await page.evaluate(async (ids) => {
        const { client } = window as unknown as ClientWindow
        for (const requestId of ids) await client.thumbsDown({ requestId, comment: 'memory' })
      }, ids)
      expect(
        await page.evaluate(() => (window as unknown as ClientWindow).client.status.value.storage),
      ).toBe('memory')
      expect(
        await waitUntil(async () => (await storedEvents(env.collector)).length === 10, 10_000),
      ).toBe(true)
      const rows = await storedEvents(env.collector)
      expect([...tally(rows.map((row) => row.requestId)).values()].every((n) => n === 1)).toBe(true)
      expect(new Set(rows.map((row) => row.requestId))).toEqual(new Set(ids))
      // The batches said where the events lived.
      expect(env.site.requests.length).toBeGreaterThan(0)
      // The page learns of the collector's answer a moment after the rows are stored.
      await waitUntil(
        () =>
          page.evaluate(() => (window as unknown as ClientWindow).client.status.value.queued === 0),
        10_000,
      )
      const status = await page.evaluate(
        () => (window as unknown as ClientWindow).client.status.value,
      )
      expect(status).toMatchObject({ storage: 'memory', queued: 0, dropped: 0 })
      expect(
        await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors),
      ).toEqual([])
      expect(pageErrors).toEqual([])
      await page.close()
    })
  }
})
