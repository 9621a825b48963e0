// The demo support chat in real Chromium against the deployed collector app: a keyboard-only
// user gives every kind of feedback and the collector holds exactly those events; the
// controls pass axe-core and look right in light and dark; late answers get bars.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FACT_SIGNALS } from '@tightloop/schema'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, skipBrowser, type TestBrowser } from '../support/browser.ts'
import {
  axeViolations,
  buildBrowserAssets,
  type DemoServer,
  flushPage,
  focusedControl,
  pixelStats,
  ROOT,
  startDemoServer,
  tabTo,
  tightloopReady,
} from './support.ts'

const FACTS: readonly string[] = FACT_SIGNALS

const REASONS = ['wrong_answer', 'refund_request', 'other'] // the project's own list
const SHOTS = join(ROOT, 'test-results/widget')
const QUESTION = 'How do I change my PIN?'
const BOT_ANSWER =
  'To change your PIN, open Settings, then Security, then PIN. It takes effect at once.'
const CORRECTION = 'Open Settings, then Security, then Change PIN. The new PIN works after 1 hour.'

describe.skipIf(skipBrowser)('demo support chat in Chromium', () => {
  let server: DemoServer
  let browser: TestBrowser
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    buildBrowserAssets()
    server = await startDemoServer(REASONS)
    browser = await launchBrowser()
    page = await browser.context.newPage()
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(`${server.url}/demo/`)
    await tightloopReady(page)
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const stored = async (expected: number) => {
    await flushPage(page)
    let events: Record<string, unknown>[] = []
    for (let i = 0; i < 50; i++) {
      // Feedback only: not the impressions, nor the facts (prompts asked, pages left) the
      // collector derives implicit signals from.
      events = (await server.events()).filter(
        (e) => e.signal !== 'response_shown' && !FACTS.includes(String(e.signal)),
      )
      if (events.length >= expected) break
      await page.waitForTimeout(100)
    }
    return events
  }

  it('serves the script tag with caching headers and the demo with the project key', async () => {
    const res = await fetch(`${server.url}/tightloop.js`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=300')
    expect(res.headers.get('etag')).toBeTruthy()
    const html = await (await fetch(`${server.url}/demo/`)).text()
    expect(html).toContain(`data-key="${server.publicKey}"`)
  })

  it('lets a keyboard-only user give all four kinds of feedback, stored exactly', async () => {
    // Ask a question.
    await tabTo(page, 'Your question')
    await page.keyboard.type(QUESTION)
    await page.keyboard.press('Enter')
    await page.waitForSelector('.msg.bot tightloop-feedback')
    const requestId = await page.$eval('.msg.bot tightloop-feedback', (el) =>
      el.getAttribute('request-id'),
    )

    // Thumbs down with a reason and a comment: back up from the question box to the answer.
    await tabTo(page, 'Not helpful', { back: true })
    const outline = await page.evaluate(() => {
      let el = document.activeElement
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
      const style = getComputedStyle(el!)
      return `${style.outlineStyle} ${style.outlineWidth}`
    })
    expect(outline).toBe('solid 2px') // focus is visible
    await page.keyboard.press('Enter')
    expect(await focusedControl(page)).toEqual({ name: 'Incorrect', tag: 'button' })
    expect(await axeViolations(page)).toEqual([]) // the "what was wrong?" step open
    await page.keyboard.press('Space')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect((await focusedControl(page)).tag).toBe('textarea')
    await page.keyboard.type('The menu is called Security now.')
    await tabTo(page, 'Send')
    await page.keyboard.press('Enter')
    expect(await focusedControl(page)).toEqual({ name: 'Not helpful', tag: 'button' })

    // Edit the answer: Enter saves, focus comes back.
    await tabTo(page, 'Edit answer')
    await page.keyboard.press('Enter')
    expect(await focusedControl(page)).toEqual({ name: 'Your corrected answer', tag: 'textarea' })
    await page.keyboard.press('Control+A')
    await page.keyboard.type(CORRECTION)
    await page.keyboard.press('Enter')
    expect(await focusedControl(page)).toEqual({ name: 'Edit answer', tag: 'button' })

    // Talk to a person, with a reason from the project's own list.
    await tabTo(page, 'Talk to a person')
    await page.keyboard.press('Enter')
    expect(await focusedControl(page)).toMatchObject({ tag: 'select' })
    const options = await page.$eval('tightloop-escalate', (el) =>
      [...el.shadowRoot!.querySelectorAll('option')].map((o) => o.textContent),
    )
    expect(options).toEqual([
      'Choose a reason',
      'The answer was wrong',
      'refund request',
      'Something else',
    ])
    expect(await axeViolations(page)).toEqual([]) // the reason picker open
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await tabTo(page, 'Send')
    await page.keyboard.press('Enter')
    await page.waitForSelector('text=Connecting you to a person (reason: refund request)')

    // End the chat and rate it.
    await tabTo(page, 'End chat')
    await page.keyboard.press('Enter')
    await page.waitForSelector('tightloop-csat')
    await tabTo(page, '4: Satisfied')
    await page.keyboard.press('Enter')

    const events = await stored(4)
    expect(events.map((e) => e.signal).sort()).toEqual([
      'agent_escalation',
      'csat',
      'explicit_correction',
      'thumbs_down',
    ])
    const common = {
      requestId,
      prompt: QUESTION,
      response: BOT_ANSWER,
      productVersion: 'demo-1',
      modelVersion: 'scripted-bot',
    }
    const bySignal = Object.fromEntries(events.map((e) => [e.signal, e]))
    expect(bySignal.thumbs_down).toMatchObject({
      ...common,
      comment: 'The menu is called Security now.',
      metadata: { wrong: 'incorrect' },
    })
    expect(bySignal.explicit_correction).toMatchObject({ ...common, correctionText: CORRECTION })
    expect(bySignal.agent_escalation).toMatchObject({
      ...common,
      escalationReason: 'refund_request',
    })
    expect(bySignal.csat).toMatchObject({ ...common, csat: 4 })
    for (const e of events) expect(typeof e.receivedAt).toBe('string')
    // Besides them only impressions: the chat answer and the two FAQ answers.
    const shown = (await server.events()).filter((e) => e.signal === 'response_shown')
    expect(shown.map((e) => e.requestId).sort()).toEqual(
      [requestId, 'faq-card-lost', 'faq-transfer-limit'].sort(),
    )
    expect(pageErrors).toEqual([])
  })

  it('keeps every control state across a reload', async () => {
    await page.reload()
    await tightloopReady(page)
    const state = await page.$eval('.msg.bot tightloop-feedback', (el) => ({
      down: el
        .shadowRoot!.querySelector('[aria-label="Not helpful"]')!
        .getAttribute('aria-pressed'),
      answer: el.shadowRoot!.querySelector('.answer')!.textContent,
    }))
    expect(state).toEqual({ down: 'true', answer: CORRECTION })
    const rated = await page.$eval('tightloop-csat', (el) =>
      el.shadowRoot!.querySelector('[aria-pressed=true]')?.getAttribute('aria-label'),
    )
    expect(rated).toBe('4: Satisfied')
  })

  it('switches every control to German from the language pack the collector serves', async () => {
    const pack = await fetch(`${server.url}/tightloop/lang/de.json`, {
      headers: { origin: 'https://shop.example' },
    })
    expect(pack.headers.get('access-control-allow-origin')).toBe('*')
    await page.selectOption('#lang', 'de')
    await page.waitForFunction(() =>
      document
        .querySelector('.faq tightloop-feedback')
        ?.shadowRoot?.querySelector('[aria-label="Nicht hilfreich"]'),
    )
    const chat = await page.$eval(
      '.msg.bot tightloop-feedback',
      (el) => el.shadowRoot!.querySelector('[aria-label="Antwort bearbeiten"]')?.localName,
    )
    expect(chat).toBe('button')
    expect(await axeViolations(page)).toEqual([])
    await page.selectOption('#lang', 'en')
    await page.waitForFunction(() =>
      document
        .querySelector('.faq tightloop-feedback')
        ?.shadowRoot?.querySelector('[aria-label="Not helpful"]'),
    )
  })

  it('serves the agent console, where the agent records the reason with the same element', async () => {
    const agent = await browser.context.newPage()
    await agent.goto(`${server.url}/demo/agent.html`)
    await tightloopReady(agent)
    await agent.waitForFunction(() =>
      document.querySelector('tightloop-escalate')?.shadowRoot?.querySelector('select'),
    )
    expect(await axeViolations(agent)).toEqual([])
    await tabTo(agent, 'Escalation reason')
    await agent.keyboard.press('ArrowDown')
    await agent.keyboard.press('ArrowDown')
    await tabTo(agent, 'Send')
    await agent.keyboard.press('Enter')
    await flushPage(agent)
    let stored: Record<string, unknown> | undefined
    for (let i = 0; i < 50 && !stored; i++) {
      stored = (await server.events()).find((e) => e.requestId === 'agent-demo-refund')
      if (!stored) await agent.waitForTimeout(100)
    }
    expect(stored).toMatchObject({
      signal: 'agent_escalation',
      escalationReason: 'refund_request',
      prompt: 'Can I get my money back for a double payment?',
      response: 'Refunds are not possible once a payment is booked.',
    })
    await agent.close()
  })

  it('has no axe-core violations and renders the controls in light and dark', async () => {
    mkdirSync(SHOTS, { recursive: true })
    const stats: Record<string, ReturnType<typeof pixelStats>> = {}
    for (const theme of ['light', 'dark'] as const) {
      await page.selectOption('#theme', theme)
      await page.waitForFunction(
        (t) => document.querySelector('.faq tightloop-feedback')?.getAttribute('theme') === t,
        theme,
      )
      expect(await axeViolations(page)).toEqual([])
      for (const [control, selector] of [
        ['feedback-bar', '.faq article tightloop-feedback'],
        ['csat', 'tightloop-csat'],
      ]) {
        const png = await (await page.$(selector!))!.screenshot()
        writeFileSync(join(SHOTS, `${control}-${theme}.png`), png)
        stats[`${control}-${theme}`] = pixelStats(png)
      }
      writeFileSync(join(SHOTS, `demo-${theme}.png`), await page.screenshot({ fullPage: true }))
    }
    console.log('control pixels', JSON.stringify(stats))
    for (const control of ['feedback-bar', 'csat']) {
      const light = stats[`${control}-light`]!
      const dark = stats[`${control}-dark`]!
      expect(light.height).toBeGreaterThan(20)
      expect(light.mean).toBeGreaterThan(200) // a light background
      expect(dark.mean).toBeLessThan(60) // the dark theme is really dark
      // The controls show: icons, digits and borders differ strongly from the background.
      expect(light.contrastShare).toBeGreaterThan(0.02)
      expect(dark.contrastShare).toBeGreaterThan(0.02)
    }
  })
})

describe.skipIf(skipBrowser)('script tag on a page that adds answers later', () => {
  let server: DemoServer
  let browser: TestBrowser

  beforeAll(async () => {
    buildBrowserAssets()
    server = await startDemoServer(['other'])
    browser = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('renders styled controls under a strict CSP (no inline styles or scripts allowed)', async () => {
    const page = await browser.context.newPage()
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
    })
    await page.route(`${server.url}/strict.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: {
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'",
        },
        body: `<!doctype html><html lang="en"><head><title>strict CSP</title>
<script src="/tightloop.js" data-key="${server.publicKey}" data-theme="dark" defer></script></head>
<body><main><div data-tightloop-request-id="csp-1">An answer under a strict policy.</div></main></body></html>`,
      }),
    )
    await page.goto(`${server.url}/strict.html`)
    await page.waitForFunction(() =>
      document.querySelector('tightloop-feedback')?.shadowRoot?.querySelector('button'),
    )
    const style = await page.$eval('tightloop-feedback', (el) => {
      const button = el.shadowRoot!.querySelector('button')!
      const computed = getComputedStyle(button)
      return {
        sheets: el.shadowRoot!.adoptedStyleSheets.length,
        radius: computed.borderTopLeftRadius,
        background: computed.backgroundColor,
        inline: el.shadowRoot!.querySelectorAll('[style], style').length,
      }
    })
    expect(style).toEqual({
      sheets: 1,
      radius: '6px',
      background: 'rgb(13, 17, 23)', // the dark theme's background
      inline: 0,
    })
    expect(violations).toEqual([])
    await page.close()
  })

  it('gives every answer appended after load its own bar', async () => {
    const page = await browser.context.newPage()
    // A same-origin page of the collector's, so the project's origin rule lets it send.
    await page.route(`${server.url}/late.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>late answers</title>
<script>window.tightloop=window.tightloop||Object.assign(function(...a){tightloop.q.push(a)},{q:[]})</script>
<script src="/tightloop.js" data-key="${server.publicKey}" defer></script></head>
<body><main id="log"></main><script>
let n = 0
const timer = setInterval(() => {
  const answer = document.createElement('div')
  answer.setAttribute('data-tightloop-request-id', 'late-' + n)
  answer.setAttribute('data-tightloop-prompt', 'question ' + n)
  answer.textContent = 'Answer number ' + n
  document.getElementById('log').append(answer)
  if (++n === 12) clearInterval(timer)
}, 20)
</script></body></html>`,
      }),
    )
    await page.goto(`${server.url}/late.html`)
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-tightloop-request-id]')].filter((el) =>
          el.querySelector('tightloop-feedback')?.shadowRoot?.querySelector('[aria-label=Helpful]'),
        ).length === 12,
    )
    const bars = await page.$$eval('[data-tightloop-request-id]', (els) =>
      els.map((el) => el.querySelectorAll('tightloop-feedback').length),
    )
    expect(bars).toEqual(Array(12).fill(1))
    await flushPage(page)
    let shown: unknown[] = []
    for (let i = 0; i < 50 && shown.length < 12; i++) {
      shown = (await server.events()).filter(
        (e) => e.signal === 'response_shown' && String(e.requestId).startsWith('late-'),
      )
      await page.waitForTimeout(100)
    }
    expect(shown).toHaveLength(12)
    await page.close()
  })
})
