import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { skipBrowser } from '../support/browser.ts'
import {
  type ClientWindow,
  openClientPage,
  seededRandom,
  storedEvents,
  tally,
  testSeed,
  useClientHarness,
  waitUntil,
} from '../support/client-page.ts'

const TABS = 5
const EVENTS_PER_TAB = 200
const CLOSE_CHANCE = 0.08 // per step of 1–10 events: about 8 closes per tab
const DRAIN_TIMEOUT_MS = 20_000
const SEED = testSeed()

describe.skipIf(skipBrowser)('client in Chromium: many tabs', () => {
  const env = useClientHarness('tabs')

  const variants = [
    { name: 'Web Locks elect one sender', options: {} },
    { name: 'no Web Locks: every tab sends', options: { locks: null } },
  ]
  for (const [index, variant] of variants.entries()) {
    it(`${TABS} tabs × ${EVENTS_PER_TAB} events with random closes, ${variant.name}: each stored once (seed ${SEED})`, async () => {
      const random = seededRandom(SEED + index)
      const pageErrors: string[] = []
      const confirmed = new Set<string>()
      const uncertain = new Set<string>()
      let closes = 0

      const openPage = async () => {
        const page = await env.browser.context.newPage()
        page.on('pageerror', (error) => pageErrors.push(String(error)))
        await openClientPage(page, env.site.pageUrl(env.collector.publicKey, variant.options))
        return page
      }
      const closePage = async (page: Page) => {
        const gone = new Promise((resolve) => page.once('close', resolve))
        await page.close({ runBeforeUnload: random() < 0.5 })
        await gone
      }

      // One tab slot: records its 200 events; now and then its tab closes and a new one opens.
      const runTab = async (tab: number) => {
        let page = await openPage()
        let next = 0
        while (next < EVENTS_PER_TAB) {
          const count = Math.min(EVENTS_PER_TAB - next, 1 + Math.floor(random() * 10))
          const ids = Array.from({ length: count }, () => `tab${tab}-${next++}`)
          await page.evaluate(
            (ids) =>
              Promise.all(
                ids.map((requestId) =>
                  (window as unknown as ClientWindow).client.thumbsDown({ requestId }),
                ),
              ),
            ids,
          )
          for (const id of ids) confirmed.add(id)
          if (random() < CLOSE_CHANCE) {
            closes++
            if (random() < 0.5) {
              // Writes still on their way when the tab goes: stored at most once.
              const extra = Array.from({ length: 3 }, (_, i) => `tab${tab}-inflight-${next}-${i}`)
              for (const id of extra) uncertain.add(id)
              await page.evaluate((ids) => {
                for (const requestId of ids) {
                  ;(window as unknown as ClientWindow).client.thumbsDown({ requestId })
                }
              }, extra)
            }
            await closePage(page)
            page = await openPage()
          }
        }
        return page
      }

      const pages = await Promise.all(Array.from({ length: TABS }, (_, tab) => runTab(tab)))
      const drained = await waitUntil(
        async () => {
          const stored = new Set((await storedEvents(env.collector)).map((row) => row.requestId))
          return [...confirmed].every((id) => stored.has(id))
        },
        DRAIN_TIMEOUT_MS,
        250,
      )
      const rows = await storedEvents(env.collector)
      const counts = tally(rows.map((row) => row.requestId))
      const lost = [...confirmed].filter((id) => !counts.has(id))
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
      const unknown = [...counts.keys()].filter((id) => !confirmed.has(id) && !uncertain.has(id))
      const sends = tally(env.site.requests.flatMap((r) => r.events.map((e) => e.eventId)))
      const resent = [...sends.values()].filter((n) => n > 1).length
      console.log(
        `client tabs (${variant.name}): ${confirmed.size} events confirmed, ${uncertain.size} in ` +
          `flight at a close (${[...uncertain].filter((id) => counts.has(id)).length} stored), ` +
          `${closes} closes, ${env.site.requests.length} requests, ${resent} events sent more than ` +
          `once; ${rows.length} rows; lost ${lost.length}, duplicated ${duplicated.length}`,
      )
      expect(confirmed.size).toBe(TABS * EVENTS_PER_TAB)
      expect(closes).toBeGreaterThan(0)
      expect(drained).toBe(true)
      expect(lost).toEqual([])
      expect(duplicated).toEqual([])
      expect(unknown).toEqual([])
      expect(pageErrors).toEqual([])
      for (const page of pages) {
        const status = await page.evaluate(
          () => (window as unknown as ClientWindow).client.status.value,
        )
        expect(status).toMatchObject({ storage: 'indexeddb', dropped: 0 })
        await page.close()
      }
    }, 120_000)
  }
})
