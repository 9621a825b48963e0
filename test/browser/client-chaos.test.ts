// Real Chromium, real collector: seeded random cycles of offline spells, 5xx answers, requests
// cut before the collector saw them, answers lost after it stored them, reloads and tab closes,
// each followed by a return online. Every event is stored exactly once, resent with its own id.
//
//   TIGHTLOOP_SEED=123 TIGHTLOOP_CHAOS_CYCLES=200 pnpm exec vitest run test/browser/client-chaos.test.ts
import { startTestCollector, type TestCollector } from '@tightloop/collector/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, skipBrowser, type TestBrowser } from '../support/browser.ts'
import {
  buildClientBundle,
  type ClientSite,
  type ClientWindow,
  type Fault,
  openClientPage,
  seededRandom,
  startClientSite,
  storedEvents,
  tally,
  testSeed,
  waitUntil,
} from '../support/client-page.ts'

const CYCLES = Number(process.env.TIGHTLOOP_CHAOS_CYCLES) || 200
const DRAIN_TIMEOUT_MS = 30_000 // back online for good, the queue empties within this
const SEED = testSeed()

type Action = 'none' | 'reload' | 'close' | 'close-mid-write'

describe.skipIf(skipBrowser)('client in Chromium: chaos', () => {
  let site: ClientSite
  let browser: TestBrowser
  let collector: TestCollector

  beforeAll(async () => {
    site = await startClientSite(await buildClientBundle())
    collector = await startTestCollector({
      project: { name: 'chaos', allowedOrigins: [site.origin] },
    })
    site.collectorUrl = collector.url
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await collector?.close()
  })

  it(`${CYCLES} cycles of offline, 5xx, aborts, lost answers, reloads and closes: every event stored once (seed ${SEED})`, async () => {
    console.log(
      `client chaos: seed ${SEED} (TIGHTLOOP_SEED=${SEED} replays the choices), ${CYCLES} cycles`,
    )
    const random = seededRandom(SEED)
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T
    const pageErrors: string[] = []
    /** Events whose call resolved: queued for sure, so they must be stored exactly once. */
    const confirmed = new Set<string>()
    /** Events whose page closed while the call was in flight: stored at most once. */
    const uncertain = new Set<string>()
    const actions = tally<string>([])
    let next = 0

    const openPage = async () => {
      const page = await browser.context.newPage()
      page.on('pageerror', (error) => pageErrors.push(String(error)))
      await openClientPage(page, site.pageUrl(collector.publicKey))
      return page
    }
    const record = async (page: Page, count: number) => {
      const ids = Array.from({ length: count }, () => `chaos-${next++}`)
      const kinds = ids.map(() => pick(['down', 'up', 'csat', 'correct'] as const))
      await page.evaluate(
        ({ ids, kinds }) => {
          const { client } = window as unknown as ClientWindow
          return Promise.all(
            ids.map((requestId, i) => {
              const answer = { requestId, prompt: 'Where is my refund?', response: 'On its way.' }
              if (kinds[i] === 'down') return client.thumbsDown({ ...answer, comment: 'no' })
              if (kinds[i] === 'up') return client.thumbsUp(answer)
              if (kinds[i] === 'csat') return client.csat({ ...answer, score: 1 + (i % 5) })
              return client.correct({ ...answer, correctionText: 'Refunds take 5 days.' })
            }),
          )
        },
        { ids, kinds },
      )
      for (const id of ids) confirmed.add(id)
    }

    let page = await openPage()
    let fault5xx = 0
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const offline = random() < 0.3
      const fault = pick<Fault>(['pass', '5xx', 'abort', 'drop-after'])
      const rate = 0.5 + random() / 2
      const faultRandom = seededRandom(SEED + cycle)
      site.fault = () => (faultRandom() < rate ? fault : 'pass')
      if (fault === '5xx') fault5xx++
      if (offline) await browser.context.setOffline(true)

      await record(page, 1 + Math.floor(random() * 5))
      if (random() < 0.5)
        await page.evaluate(() => (window as unknown as ClientWindow).client.flush())
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 300)))

      const action = pick<Action>(['none', 'none', 'reload', 'close', 'close-mid-write'])
      actions.set(action, (actions.get(action) ?? 0) + 1)
      if (action === 'close' || action === 'close-mid-write') {
        if (action === 'close-mid-write') {
          // Calls still on their way to IndexedDB when the tab goes: they may or may not be queued.
          const ids = Array.from({ length: 3 }, () => `chaos-${next++}`)
          for (const id of ids) uncertain.add(id)
          await page.evaluate((ids) => {
            const { client } = window as unknown as ClientWindow
            for (const requestId of ids) client.thumbsDown({ requestId })
          }, ids)
        }
        // Its beacons meet the same offline network and failing front.
        // With runBeforeUnload the close runs the page's handlers as a user's would, and
        // resolves before the page is gone: wait for it.
        const gone = new Promise((resolve) => page.once('close', resolve))
        await page.close({ runBeforeUnload: random() < 0.5 })
        await gone
      }
      // Pages cannot load offline, so the network returns before a reload or the next tab; the
      // front keeps failing meanwhile, so their beacons and first sends still meet faults.
      if (offline) await browser.context.setOffline(false)
      if (action === 'reload') {
        await page.reload()
        await page.waitForFunction(() => (window as unknown as ClientWindow).clientReady === true)
      } else if (action !== 'none') {
        page = await openPage()
      }

      // Back online: the front stops failing, the network returns (the `online` event cuts
      // any backoff short, as it does for users).
      site.fault = () => 'pass'
      if (!offline) await browser.context.setOffline(true)
      await browser.context.setOffline(false)
    }

    // Drain: one page stays open, online, until every event is in.
    const drained = await waitUntil(
      async () => {
        const stored = new Set((await storedEvents(collector)).map((row) => row.requestId))
        return [...confirmed].every((id) => stored.has(id))
      },
      DRAIN_TIMEOUT_MS,
      250,
    )
    await page.evaluate(() => (window as unknown as ClientWindow).client.flush())
    // The page forgets an event only on the collector's answer: one whose answer was lost after
    // the collector stored it waits out its backoff, then goes again (a duplicate the collector
    // absorbs). Stored is not yet answered: give the page that time before reading its status.
    await waitUntil(
      () =>
        page.evaluate(() => (window as unknown as ClientWindow).client.status.value.queued === 0),
      DRAIN_TIMEOUT_MS,
      250,
    )
    const rows = await storedEvents(collector)
    const counts = tally(rows.map((row) => row.requestId))
    const lost = [...confirmed].filter((id) => !counts.has(id))
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
    const unknown = [...counts.keys()].filter((id) => !confirmed.has(id) && !uncertain.has(id))

    // What went over the wire: each event with one id, however often it was sent.
    const sentIds = new Map<string, Set<string>>()
    const sends = tally<string>([])
    for (const request of site.requests) {
      for (const event of request.events) {
        const ids = sentIds.get(event.requestId) ?? new Set()
        ids.add(event.eventId)
        sentIds.set(event.requestId, ids)
        sends.set(event.eventId, (sends.get(event.eventId) ?? 0) + 1)
      }
    }
    const storedIds = new Map(rows.map((row) => [row.requestId, row.eventId]))
    // An event in flight at a close may have left in a beacon that met a fault while its write
    // died with the page: sent, never stored, as allowed (its call never resolved).
    const diedInFlight = (requestId: string) =>
      uncertain.has(requestId) && !storedIds.has(requestId)
    const idChanged = [...sentIds].filter(
      ([requestId, ids]) =>
        ids.size !== 1 || (!diedInFlight(requestId) && !ids.has(storedIds.get(requestId) ?? '')),
    )
    const resent = [...sends.values()].filter((n) => n > 1).length
    const faults = tally(site.requests.map((request) => request.fault))
    const lostAnswers = site.requests.filter((r) => r.fault === 'drop-after' && r.status === 200)
    const status = await page.evaluate(
      () => (window as unknown as ClientWindow).client.status.value,
    )
    console.log(
      `client chaos: ${confirmed.size} events confirmed, ${uncertain.size} in flight at a close ` +
        `(${[...uncertain].filter((id) => counts.has(id)).length} of them stored); ` +
        `${rows.length} rows stored; lost ${lost.length}, duplicated ${duplicated.length}; ` +
        `${site.requests.length} requests (${[...faults].map(([f, n]) => `${f} ${n}`).join(', ')}), ` +
        `${lostAnswers.length} answers lost after storing, ${resent} events sent more than once, ` +
        `all with their first id; actions ${[...actions].map(([a, n]) => `${a} ${n}`).join(', ')}; ` +
        `cycles with 5xx ${fault5xx}`,
    )

    expect(drained).toBe(true)
    expect(lost).toEqual([])
    expect(duplicated).toEqual([])
    expect(unknown).toEqual([])
    expect(idChanged).toEqual([])
    // The run really exercised the faults it claims to.
    expect(resent).toBeGreaterThan(0)
    expect(lostAnswers.length).toBeGreaterThan(0)
    for (const fault of ['5xx', 'abort', 'drop-after'] as const) {
      expect(faults.get(fault) ?? 0).toBeGreaterThan(0)
    }
    expect(status).toMatchObject({ storage: 'indexeddb', queued: 0, dropped: 0 })
    expect(pageErrors).toEqual([])
  }, 240_000)
})
