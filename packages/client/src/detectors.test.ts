// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from './client.ts'
import { abandonDetector, rephraseDetector } from './detectors.ts'
import { REPHRASE_THRESHOLD } from './rephrase.ts'
import { memoryStorage } from './storage.ts'
import { fakeCollector, fakeTime, setHidden, settle } from './test-support.ts'
import type { ClientOptions, Detector, DetectorHooks, FeedbackClient } from './types.ts'

let clients: FeedbackClient[] = []
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()))
  clients = []
  setHidden(false)
})

/** A client with both detectors at their defaults unless `options.detectors` says otherwise. */
async function open(options: Partial<ClientOptions> = {}) {
  const time = fakeTime()
  const collector = fakeCollector()
  const client = createClient({
    endpoint: 'https://collector.test',
    key: 'pk_detect',
    storage: memoryStorage(),
    fetch: collector.fetch,
    sendBeacon: () => false,
    now: time.now,
    setTimeout: time.setTimeout,
    clearTimeout: time.clearTimeout,
    locks: null,
    detectors: [rephraseDetector(), abandonDetector()],
    ...options,
  })
  clients.push(client)
  await settle()
  const sent = async (signal: string) => {
    await client.flush()
    return collector.events(signal)
  }
  return { client, time, collector, sent }
}

const pin = { requestId: 'r1', prompt: 'How do I reset my PIN?', response: 'Go to Settings.' }

describe('the rephrase detector', () => {
  it('reports a prompt that asks an answered question again, about the earlier answer', async () => {
    const { client, time, sent } = await open()
    await client.shown(pin)
    await time.advance(30_000)
    await client.prompted('how can i reset my pin??', 'r2')
    const [event] = await sent('rephrase')
    expect(event).toMatchObject({
      signal: 'rephrase',
      requestId: 'r2',
      rephraseOf: 'r1',
      prompt: pin.prompt,
      response: pin.response,
      sessionId: client.sessionId,
    })
    expect((event as { similarity: number }).similarity).toBeGreaterThanOrEqual(REPHRASE_THRESHOLD)
  })

  it('points at the earlier answer when the new request id is not known yet', async () => {
    const { client, sent } = await open()
    await client.shown(pin)
    await client.prompted('How can I reset my PIN')
    expect(await sent('rephrase')).toMatchObject([{ requestId: 'r1', rephraseOf: 'r1' }])
  })

  it('picks the most similar of several earlier answers', async () => {
    const { client, sent } = await open()
    await client.shown(pin)
    await client.shown({ requestId: 'r2', prompt: 'What is the exchange rate for euros?' })
    await client.prompted('which exchange rate do you use for euros')
    expect(await sent('rephrase')).toMatchObject([{ rephraseOf: 'r2' }])
  })

  it('stays quiet for follow-ups, new questions, old answers and a raised threshold', async () => {
    const quiet = await open()
    await quiet.client.shown(pin)
    await quiet.client.prompted('and how long does that take?')
    await quiet.client.prompted('What is the exchange rate for euros?')
    await quiet.time.advance(300_001)
    await quiet.client.prompted('How do I reset my PIN?') // past the 5-minute window
    expect(await quiet.sent('rephrase')).toEqual([])

    const strict = await open({ detectors: [rephraseDetector({ threshold: 1.01 })] })
    await strict.client.shown(pin)
    await strict.client.prompted('How do I reset my PIN?')
    expect(await strict.sent('rephrase')).toEqual([])

    const wide = await open({ detectors: [rephraseDetector({ windowMs: 3_600_000 })] })
    await wide.client.shown(pin)
    await wide.time.advance(1_800_000)
    await wide.client.prompted('How do I reset my PIN?')
    expect(await wide.sent('rephrase')).toHaveLength(1)
  })

  it('gives the prompt it saw to the next answer shown without one', async () => {
    const { client, sent } = await open()
    await client.prompted('Why was my card declined?')
    await client.shown({ requestId: 'r9', response: 'Your card was frozen.' })
    expect(await sent('response_shown')).toMatchObject([
      { requestId: 'r9', prompt: 'Why was my card declined?' },
    ])
  })
})

describe('the abandonment detector', () => {
  it('reports the last unresolved answer once when the page closes', async () => {
    const { client, time, sent } = await open()
    await client.shown(pin)
    await client.shown({ requestId: 'r2', prompt: 'And my card?', response: 'It is on its way.' })
    const sessionId = client.sessionId
    await time.advance(42_000)
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    const events = await sent('session_abandon')
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      requestId: 'r2',
      prompt: 'And my card?',
      response: 'It is on its way.',
      idleMs: 42_000,
      sessionId,
    })
    expect(client.sessionId).not.toBe(sessionId)
  })

  it.each([
    ['a thumbs up', (c: FeedbackClient) => c.thumbsUp(pin)],
    ['a CSAT of 4', (c: FeedbackClient) => c.csat({ ...pin, score: 4 })],
    ['resolve()', (c: FeedbackClient) => c.resolve('r1')],
  ])('is silent when %s resolved the answer', async (_, resolveIt) => {
    const { client, sent } = await open()
    await client.shown(pin)
    await resolveIt(client)
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(await sent('session_abandon')).toEqual([])
  })

  it('still reports an answer rated 3 or lower, or thumbed down', async () => {
    const { client, sent } = await open()
    await client.shown(pin)
    await client.csat({ ...pin, score: 3 })
    await client.thumbsDown(pin)
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(await sent('session_abandon')).toMatchObject([{ requestId: 'r1' }])
  })

  it('reports a page hidden past the idle timeout, not one hidden briefly', async () => {
    const { client, time, sent } = await open({ detectors: [abandonDetector({ idleMs: 60_000 })] })
    await client.shown(pin)
    setHidden(true)
    await time.advance(30_000)
    setHidden(false)
    await settle()
    expect(await sent('session_abandon')).toEqual([])
    setHidden(true)
    await time.advance(60_000)
    const events = await sent('session_abandon')
    expect(events).toMatchObject([{ requestId: 'r1' }])
    expect((events[0] as { idleMs: number }).idleMs).toBeGreaterThanOrEqual(60_000)
  })

  it('reports on return a page frozen past the timeout, whose timer never ran', async () => {
    const { client, time, sent } = await open({ detectors: [abandonDetector({ idleMs: 60_000 })] })
    await client.shown(pin)
    setHidden(true)
    await settle()
    time.jump(120_000)
    setHidden(false)
    await settle()
    expect(await sent('session_abandon')).toMatchObject([{ requestId: 'r1', idleMs: 120_000 }])
  })

  it('is silent when no answer was shown', async () => {
    const { sent } = await open()
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(await sent('session_abandon')).toEqual([])
  })
})

describe('detectors are opt-in', () => {
  it('without them: no rephrase, no abandonment, one session; prompts still reach answers', async () => {
    const { client, time, sent } = await open({ detectors: undefined })
    const sessionId = client.sessionId
    await client.shown(pin)
    await client.prompted('How do I reset my PIN?')
    await client.shown({ requestId: 'r2', response: 'Settings, then PIN.' })
    setHidden(true)
    await time.advance(3_600_000)
    setHidden(false)
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(await sent('rephrase')).toEqual([])
    expect(await sent('session_abandon')).toEqual([])
    expect(await sent('response_shown')).toMatchObject([
      { requestId: 'r1', sessionId },
      { requestId: 'r2', prompt: 'How do I reset my PIN?', sessionId },
    ])
    expect(client.sessionId).toBe(sessionId)
  })

  it('a prompt never rephrases an answer of a session that ended', async () => {
    const { client, sent } = await open()
    await client.shown(pin)
    window.dispatchEvent(new Event('pagehide')) // back from the back/forward cache later
    await settle()
    await client.prompted('How do I reset my PIN?')
    expect(await sent('rephrase')).toEqual([])
    expect(await sent('session_abandon')).toHaveLength(1)
  })

  it('calls every hook in order, and a throwing detector hurts neither the page nor the events', async () => {
    const calls: string[] = []
    const recorder: Detector = (host) => ({
      event: (event) => calls.push(`event ${event.signal} ${event.requestId}`),
      prompted: (text, requestId) => calls.push(`prompted ${text} ${requestId}`),
      resolve: (requestId) => calls.push(`resolve ${requestId}`),
      hidden: (hidden) => calls.push(`hidden ${hidden}`),
      pagehide: () => {
        calls.push('pagehide')
        host.emit('thumbs_down', { requestId: 'from-detector' })
      },
      close: () => calls.push('close'),
    })
    const thrower: Detector = () => {
      const fail = () => {
        throw new Error('a broken detector')
      }
      const hooks: DetectorHooks = {}
      for (const name of ['event', 'prompted', 'resolve', 'hidden', 'pagehide', 'close'] as const)
        hooks[name] = fail
      return hooks
    }
    const beacons: string[] = []
    const { client, sent } = await open({
      detectors: [thrower, recorder, thrower],
      sendBeacon: (_url, body) => {
        beacons.push(body)
        return true
      },
    })
    await client.shown(pin)
    await expect(client.prompted('hello there', 'r2')).resolves.toBeUndefined()
    await client.resolve('r1')
    setHidden(true)
    await settle()
    setHidden(false)
    await settle()
    window.dispatchEvent(new Event('pagehide'))
    await settle()
    expect(calls).toEqual([
      'event response_shown r1',
      'prompted hello there r2',
      'resolve r1',
      'hidden true',
      'hidden false',
      'pagehide',
      'event thumbs_down from-detector',
    ])
    // What a detector queues at pagehide leaves in the page's last beacon.
    expect(
      JSON.parse(beacons.at(-1)!).events.map((e: { requestId: string }) => e.requestId),
    ).toContain('from-detector')
    expect((await sent('response_shown')).map((e) => e.requestId)).toEqual(['r1'])
    await client.close()
    expect(calls.at(-1)).toBe('close')
  })
})
