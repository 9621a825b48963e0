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

const BEACON_BUDGET_BYTES = 64 * 1024 // what Chromium lets keepalive requests carry in flight
const BACKLOG_EVENTS = 40
const RESPONSE_CHARS = 2_600 // 40 events of ~2.7 KiB: a ~105 KiB backlog

describe.skipIf(skipBrowser)('client in Chromium: leaving the page', { timeout: 45_000 }, () => {
  const env = useClientHarness('leaving')
  const pageErrors: Error[] = []

  const openPage = async (options?: Record<string, unknown>) => {
    const page = await env.browser.context.newPage()
    page.on('pageerror', (error) => pageErrors.push(error))
    await openClientPage(page, env.site.pageUrl(env.collector.publicKey, options))
    return page
  }

  // Waits for the flush timer's send to fail: the next attempt is then a backoff (1 s or more)
  // away, so no ordinary request is in flight when the test closes the tab just after.
  const sendFailedOnce = async () => {
    const sent = env.site.requests.length
    expect(await waitUntil(() => env.site.requests.length > sent, 10_000, 20)).toBe(true)
  }

  it('a small queue leaves by beacon when the tab closes, with no later visit', async () => {
    const page = await openPage()
    const ids = ['close-1', 'close-2', 'close-3', 'close-4', 'close-5']
    // Sends fail until the tab closes, so the events are sure to be queued then, however slow
    // the machine (the flush timer fires 1 s after a write); see sendFailedOnce.
    env.site.fault = () => 'abort'
    await page.evaluate(async (ids) => {
      await Promise.all(
        ids.map((requestId) =>
          (window as unknown as ClientWindow).client.thumbsDown({ requestId }),
        ),
      )
    }, ids)
    // Queued in this, the sending, tab.
    expect(
      await page.evaluate(() => (window as unknown as ClientWindow).client.status.value.queued),
    ).toBe(5)
    await sendFailedOnce()
    const before = env.site.requests.length
    env.site.fault = () => 'pass'
    await page.close()

    expect(
      await waitUntil(async () => (await storedEvents(env.collector)).length === 5, 10_000),
    ).toBe(true)
    const rows = await storedEvents(env.collector)
    expect([...tally(rows.map((row) => row.requestId)).entries()]).toEqual(ids.map((id) => [id, 1]))
    // Sent as the page went: a beacon (no-cors, text/plain), or a keepalive fetch.
    const leaving = env.site.requests.slice(before)
    expect(leaving.length).toBeGreaterThan(0)
    for (const request of leaving) expect(request.contentType).toMatch(/^text\/plain/)
    const how = leaving.map((r) => (r.mode === 'no-cors' ? 'beacon' : 'keepalive fetch'))
    console.log(`small queue at close: sent by ${how.join(', ')}`)
    expect(pageErrors).toEqual([])
  })

  it('the facts of the session (answer shown, prompt asked, page left) leave as the tab closes', async () => {
    const page = await openPage()
    env.site.fault = () => 'abort' // nothing leaves before the close (see the test above)
    await page.evaluate(async () => {
      const { client } = window as unknown as ClientWindow
      await client.shown({
        requestId: 'pin-1',
        prompt: 'How do I reset my PIN?',
        response: 'Settings.',
      })
      await client.prompted('how can I reset my pin', 'pin-2') // the collector judges it a rephrase
    })
    await sendFailedOnce()
    const before = env.site.requests.length
    env.site.fault = () => 'pass'
    await page.close()

    const signals = async () =>
      (await storedEvents(env.collector)).map((row) => `${row.signal} ${row.requestId}`).sort()
    // No verdict from the browser: abandonment and rephrase are derived by the collector.
    const expected = ['page_left pin-1', 'prompt_asked pin-2', 'response_shown pin-1']
    expect(await waitUntil(async () => (await signals()).length === 3, 10_000)).toBe(true)
    expect(await signals()).toEqual(expected)
    const leaving = env.site.requests.slice(before).flatMap((r) => r.events.map((e) => e.signal))
    expect(leaving).toContain('page_left')
    expect(pageErrors).toEqual([])
  })

  it('a 100 KiB backlog at pagehide is split under the beacon budget; the rest comes on the next visit', async () => {
    const page = await openPage()
    const response = 'x'.repeat(RESPONSE_CHARS)
    const ids = Array.from({ length: BACKLOG_EVENTS }, (_, i) => `backlog-${i}`)
    env.site.fault = () => 'abort' // as above: still queued when the tab closes
    await page.evaluate(
      async ({ ids, response }) => {
        const { client } = window as unknown as ClientWindow
        await Promise.all(ids.map((requestId) => client.thumbsDown({ requestId, response })))
      },
      { ids, response },
    )
    expect(
      await page.evaluate(() => (window as unknown as ClientWindow).client.status.value.queued),
    ).toBe(BACKLOG_EVENTS)
    await sendFailedOnce()
    const before = env.site.requests.length
    env.site.fault = () => 'pass'
    await page.close()

    // What left with the page: some events, never a request past the in-flight budget.
    expect(
      await waitUntil(async () => (await storedEvents(env.collector)).length > 0, 10_000),
    ).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const leaving = env.site.requests.slice(before)
    const leftWithPage = (await storedEvents(env.collector)).length
    const leavingBytes = leaving.reduce((sum, request) => sum + request.bytes, 0)
    console.log(
      `100 KiB backlog: ${leaving.length} request(s) at pagehide, ${leavingBytes} B, ` +
        `${leftWithPage}/${BACKLOG_EVENTS} events stored before the next visit`,
    )
    expect(leftWithPage).toBeGreaterThan(0)
    // Usually one ~56 KiB request and the rest waits: Chromium refuses what would pass 64 KiB in
    // flight. When the keepalive fetch of `visibilitychange` is answered before `pagehide`
    // (loopback is fast), its budget is free again and the beacon can carry the rest.
    for (const request of leaving) expect(request.bytes).toBeLessThanOrEqual(BEACON_BUDGET_BYTES)

    // The next visit sends the rest, and the beaconed events again with the same ids.
    const next = await openPage()
    expect(
      await waitUntil(
        async () => (await storedEvents(env.collector)).length === BACKLOG_EVENTS,
        10_000,
      ),
    ).toBe(true)
    await next.evaluate(() => (window as unknown as ClientWindow).client.flush())
    const rows = await storedEvents(env.collector)
    expect(rows).toHaveLength(BACKLOG_EVENTS)
    expect(new Set(rows.map((row) => row.requestId))).toEqual(new Set(ids))
    const eventIdsByRequest = new Map<string, Set<string>>()
    for (const request of env.site.requests) {
      expect(request.bytes).toBeLessThanOrEqual(BEACON_BUDGET_BYTES)
      for (const event of request.events) {
        const seen = eventIdsByRequest.get(event.requestId) ?? new Set()
        seen.add(event.eventId)
        eventIdsByRequest.set(event.requestId, seen)
      }
    }
    for (const [, seen] of eventIdsByRequest) expect(seen.size).toBe(1)
    // 105 KiB in requests of at most 64 KiB: split.
    expect(env.site.requests.filter((request) => request.events.length).length).toBeGreaterThan(1)
    expect(
      await waitUntil(
        () =>
          next.evaluate(() => (window as unknown as ClientWindow).client.status.value.queued === 0),
        10_000,
      ),
    ).toBe(true)
    expect(
      await next.evaluate(() => (window as unknown as ClientWindow).client.status.value.dropped),
    ).toBe(0)
    await next.close()
    expect(pageErrors).toEqual([])
  })

  it('events of a tab closed while offline arrive on the next visit', async () => {
    const page = await openPage()
    const ids = Array.from({ length: 12 }, (_, i) => `offline-close-${i}`)
    await env.browser.context.setOffline(true)
    await page.evaluate(async (ids) => {
      await Promise.all(
        ids.map((requestId) => (window as unknown as ClientWindow).client.thumbsUp({ requestId })),
      )
    }, ids)
    await page.close()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await storedEvents(env.collector)).toHaveLength(0)
    await env.browser.context.setOffline(false)

    const next = await openPage()
    expect(
      await waitUntil(async () => (await storedEvents(env.collector)).length === 12, 10_000),
    ).toBe(true)
    const rows = await storedEvents(env.collector)
    expect([...tally(rows.map((row) => row.requestId)).values()].every((n) => n === 1)).toBe(true)
    expect(new Set(rows.map((row) => row.requestId))).toEqual(new Set(ids))
    await next.close()
    expect(pageErrors).toEqual([])
  })
})
