// @vitest-environment happy-dom

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { install, type TightloopApi } from './install.ts'

/** A fake collector: answers config, language packs and ingest; records every request. */
function fakeCollector(options: { reasons?: string[]; packs?: boolean } = {}) {
  const requests: { url: string; body?: string }[] = []
  const events: Record<string, unknown>[] = []
  const fetch = async (url: string, init?: RequestInit) => {
    requests.push({ url, body: init?.body as string | undefined })
    const path = new URL(url).pathname
    if (path === '/v1/config')
      return Response.json({ escalationReasons: options.reasons ?? ['wrong_answer', 'refund'] })
    if (path === '/tightloop/lang/de.json' && options.packs !== false)
      return Response.json({ helpful: 'Hilfreich', notHelpful: 'Nicht hilfreich', reasons: {} })
    if (path === '/v1/events') {
      const batch = JSON.parse(init!.body as string) as { events: Record<string, unknown>[] }
      events.push(...batch.events)
      return Response.json({ accepted: batch.events.length, duplicates: 0, rejected: [] })
    }
    return new Response('{}', { status: 404 })
  }
  return { fetch, requests, events }
}

const tag = (attrs: Record<string, string>) => {
  const script = document.createElement('script')
  for (const [k, v] of Object.entries(attrs)) script.setAttribute(k, v)
  return script
}
type Win = Window & { tightloop?: unknown }

describe('install (the script tag)', () => {
  const collector = fakeCollector()
  let api: TightloopApi
  const win = window as Win

  beforeAll(async () => {
    document.body.innerHTML =
      '<div data-tightloop-request-id="a1" data-tightloop-prompt="PIN?">Open Settings.</div>'
    // What the documented two-line snippet does before the script arrives.
    const stub = ((...args: unknown[]) => {
      stub.q = stub.q ?? []
      stub.q.push(args)
    }) as ((...args: unknown[]) => void) & { q?: unknown[][] }
    win.tightloop = stub
    stub('configure', { theme: 'dark' })
    stub('thumbsUp', { requestId: 'queued_1' })
    api = install(
      tag({ src: 'https://collector.example/tightloop.js', 'data-key': 'pk_embed' }),
      win,
      { fetch: collector.fetch },
    )!
    await api.ready
  })
  afterAll(() => api.close())

  it('replaces the stub with the API, callable both ways', () => {
    expect(win.tightloop).toBe(api)
    expect(typeof api.thumbsDown).toBe('function')
    expect(api.status.value.storage).toBeDefined()
  })

  it("defaults the endpoint to the script's origin and loads the project's reasons there", () => {
    expect(collector.requests.map((r) => r.url)).toContain(
      'https://collector.example/v1/config?key=pk_embed',
    )
    expect(api.widget.reasons.value).toEqual(['wrong_answer', 'refund'])
  })

  it('runs queued calls and later calls, and sends them to the collector', async () => {
    api('thumbsDown', { requestId: 'later_1', comment: 'wrong' })
    await api.csat({ requestId: 'later_2', score: 2 })
    await api.flush()
    const bySignal = (s: string) => collector.events.filter((e) => e.signal === s)
    expect(bySignal('thumbs_up').map((e) => e.requestId)).toEqual(['queued_1'])
    expect(bySignal('thumbs_down')[0]).toMatchObject({ requestId: 'later_1', comment: 'wrong' })
    expect(bySignal('csat')[0]).toMatchObject({ requestId: 'later_2', csat: 2 })
    expect(
      collector.requests.some((r) =>
        r.url.startsWith('https://collector.example/v1/events?key=pk_embed'),
      ),
    ).toBe(true)
  })

  it('puts a themed feedback bar on marked answers, present and later', async () => {
    const first = document.querySelector('[data-tightloop-request-id=a1] > tightloop-feedback')!
    expect(first.getAttribute('theme')).toBe('dark')
    expect(first.shadowRoot!.querySelector('[aria-label=Helpful]')).not.toBeNull()
    const later = document.createElement('div')
    later.setAttribute('data-tightloop-request-id', 'a2')
    later.textContent = 'Later answer'
    document.body.append(later)
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
    const bar = later.querySelector('tightloop-feedback')!
    expect(bar.shadowRoot!.querySelector('[aria-label="Not helpful"]')).not.toBeNull()
    ;(bar.shadowRoot!.querySelector('[aria-label=Helpful]') as HTMLElement).click()
    await api.flush()
    expect(
      collector.events.find((e) => e.signal === 'thumbs_up' && e.requestId === 'a2'),
    ).toMatchObject({
      response: 'Later answer',
    })
    expect(
      collector.events.filter((e) => e.signal === 'response_shown').map((e) => e.requestId),
    ).toEqual(expect.arrayContaining(['a1', 'a2']))
  })

  it('a second copy of the tag reuses the first', () => {
    const again = install(
      tag({ src: 'https://collector.example/tightloop.js', 'data-key': 'pk_embed' }),
      win,
      { fetch: collector.fetch },
    )
    expect(again).toBe(api)
  })

  it('configure switches the theme of every bar', async () => {
    await api.configure({ theme: 'light' })
    for (const bar of document.querySelectorAll('tightloop-feedback'))
      expect(bar.getAttribute('theme')).toBe('light')
  })

  it('sends facts, not verdicts: a prompt asked again is a prompt_asked, never a rephrase', async () => {
    const bySignal = (s: string) => collector.events.filter((e) => e.signal === s)
    await api.shown({ requestId: 'pin_1', prompt: 'How do I reset my PIN?', response: 'Settings.' })
    await api.prompted('how can I reset my pin', 'pin_2')
    await api.flush()
    expect(bySignal('prompt_asked')).toMatchObject([
      { requestId: 'pin_2', prompt: 'how can I reset my pin' },
    ])
    expect(bySignal('rephrase')).toEqual([])
  })
})

describe('install options', () => {
  beforeEach(() => {
    ;(window as Win).tightloop = undefined
  })

  it('warns and stays off without data-key', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(install(tag({ src: 'https://c.example/tightloop.js' }), window as Win)).toBeUndefined()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('data-key'))
    warn.mockRestore()
  })

  it('data-endpoint overrides the origin; data-lang loads that language pack', async () => {
    const collector = fakeCollector()
    const api = install(
      tag({
        src: 'https://cdn.example/tightloop.js',
        'data-key': 'pk_2',
        'data-endpoint': 'https://feedback.example/',
        'data-lang': 'de-CH',
      }),
      window as Win,
      { fetch: collector.fetch },
    )!
    await api.ready
    const urls = collector.requests.map((r) => r.url)
    expect(urls).toContain('https://feedback.example/v1/config?key=pk_2')
    expect(urls).toContain('https://feedback.example/tightloop/lang/de.json')
    expect(api.widget.labels.value.helpful).toBe('Hilfreich')
    expect(api.widget.labels.value.editAnswer).toBe('Edit answer') // missing in the pack
    await api.configure({ lang: 'en', labels: { helpful: 'Useful' } })
    expect(api.widget.labels.value.helpful).toBe('Useful')
    await api.close()
  })

  it('the last language asked for wins, however fast each pack arrives', async () => {
    const collector = fakeCollector()
    let releaseGerman = () => {}
    const slowGerman = new Promise<void>((resolve) => {
      releaseGerman = resolve
    })
    const api = install(
      tag({ src: 'https://c.example/tightloop.js', 'data-key': 'pk_4', 'data-lang': 'de' }),
      window as Win,
      {
        fetch: async (url, init) => {
          if (url.endsWith('/de.json')) await slowGerman
          return collector.fetch(url, init)
        },
      },
    )!
    const english = api.configure({ lang: 'en' })
    await english
    releaseGerman()
    await api.ready
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(api.widget.labels.value.helpful).toBe('Helpful')
    await api.close()
  })

  it('falls back to English when the language pack cannot load', async () => {
    const collector = fakeCollector({ packs: false })
    const api = install(
      tag({ src: 'https://c.example/tightloop.js', 'data-key': 'pk_3', 'data-lang': 'de' }),
      window as Win,
      { fetch: collector.fetch },
    )!
    await api.ready
    expect(api.widget.labels.value.helpful).toBe('Helpful')
    await api.close()
  })
})
