// Reloads and in-site navigation continue one session; the collector derives one abandonment
// when it is left idle past the project's window (issue 17, item 2), in Chromium.
import { exportEvents, loadExportRules, runExport } from '@tightloop/collector'
import { describe, expect, it } from 'vitest'
import { skipBrowser } from '../support/browser.ts'
import {
  type ClientWindow,
  openClientPage,
  storedEvents,
  useClientHarness,
  waitUntil,
} from '../support/client-page.ts'

const MIN = 60_000

describe.skipIf(skipBrowser)('implicit signals from a real session', { timeout: 60_000 }, () => {
  const env = useClientHarness('implicit')

  /** The abandonments an export at `now` derives from what is stored. */
  async function abandonments(now: number) {
    const { store, project } = env.collector
    const current = (await store.getProject(project.id))!
    const rules = await loadExportRules(store, current, now)
    const run = runExport(exportEvents(store, project.id, {}, rules), rules, { format: 'native' })
    const rows: string[] = []
    for await (const text of run.chunks) rows.push(...text.trim().split('\n').filter(Boolean))
    return rows.map((r) => JSON.parse(r)).filter((r) => r.source === 'session_abandon')
  }

  /** One tab: an answer shown (voted on or not), five reloads, a navigation to another page. */
  async function session(requestId: string, vote: boolean) {
    const page = await env.browser.context.newPage()
    const url = env.site.pageUrl(env.collector.publicKey)
    await openClientPage(page, url)
    await page.evaluate(
      async ({ requestId, vote }) => {
        const { client } = window as unknown as ClientWindow
        const answer = { requestId, prompt: 'Where is my card?', response: 'On its way.' }
        await client.shown(answer)
        if (vote) {
          await client.thumbsDown(answer)
          await client.correct({ ...answer, correctionText: 'It was posted on Monday.' })
        }
        await client.flush()
      },
      { requestId, vote },
    )
    for (let i = 0; i < 5; i++) {
      await page.reload()
      await page.waitForFunction(() => (window as unknown as ClientWindow).clientReady === true)
    }
    await openClientPage(page, `${url}&page=help`)
    await page.evaluate(() => (window as unknown as ClientWindow).client.flush())
    await page.close()
  }

  it('five reloads and a navigation: one session, no abandonment; idle past the window: exactly one', async () => {
    await session('voted', true)
    await session('silent', false)
    const stored = async () => await storedEvents(env.collector)
    // A page that showed an answer reports leaving (the first reload of each tab) as a fact;
    // no page sends a verdict.
    expect(
      await waitUntil(
        async () => (await stored()).filter((e) => e.signal === 'page_left').length >= 2,
        20_000,
      ),
    ).toBe(true)
    const events = (await stored()) as unknown as {
      signal: string
      requestId: string
      sessionId: string
    }[]
    console.log(`page_left stored: ${events.filter((e) => e.signal === 'page_left').length}`)
    expect(events.filter((e) => e.signal === 'session_abandon')).toEqual([])
    const sessionsOf = (id: string) =>
      new Set(events.filter((e) => e.requestId === id).map((e) => e.sessionId))
    expect(sessionsOf('voted').size).toBe(1)
    expect(sessionsOf('silent').size).toBe(1)

    const last = Math.max(
      ...events.map((e) => Date.parse((e as unknown as { receivedAt: string }).receivedAt)),
    )
    // Within the 30-minute window nothing is abandoned yet.
    expect(await abandonments(last + 10 * MIN)).toEqual([])
    // Past it: exactly one, the unanswered answer; the voted and corrected one never.
    const past = await abandonments(last + 31 * MIN)
    expect(past.map((r) => r.rejected)).toEqual(['On its way.'])
    expect(past).toHaveLength(1)
  })
})
