import type { StoredEvent } from '@tightloop/schema'
import { describe, expect, it } from 'vitest'
import { createImplicitDeriver } from './implicit-signals.ts'
import { createPromptIdf } from './rephrase-similarity.ts'

const T0 = Date.parse('2026-12-01T10:00:00Z')
const MIN = 60_000
let n = 0
const ev = (signal: string, minute: number, extra: Partial<StoredEvent> & object = {}) => {
  const at = new Date(T0 + minute * MIN).toISOString()
  return {
    eventId: `e${++n}`,
    signal,
    requestId: 'r1',
    sessionId: 's1',
    userId: 'u1',
    occurredAt: at,
    receivedAt: at,
    clientOccurredAt: at,
    ...extra,
  } as StoredEvent
}
const idf = createPromptIdf()
for (const p of [
  'how do I reset my card pin',
  'what is the fee for a transfer',
  'where is my card',
])
  idf.add(p)

function derive(events: StoredEvent[], now: number, sessionIdleMs = 30 * MIN) {
  const d = createImplicitDeriver({ now, idf, sessionIdleMs })
  const out = events.flatMap((e) => d.push(e))
  return { out: [...out, ...d.end()], stats: d.stats() }
}

const shown = (minute: number, requestId = 'r1', prompt = 'where is my card') =>
  ev('response_shown', minute, { requestId, prompt, response: 'It is on its way.' })

describe('abandonment', () => {
  it('reloads (page_left, same session) do not abandon; the session idle past the window does, once', () => {
    // Failed before: the browser sent one session_abandon per reload.
    const events = [shown(0)]
    for (let i = 1; i <= 5; i++) events.push(ev('page_left', i))
    const early = derive(events, T0 + 10 * MIN)
    expect(early.out).toEqual([])
    expect(early.stats.open).toBe(1)
    const late = derive(events, T0 + 40 * MIN)
    expect(late.out.map((e) => e.signal)).toEqual(['session_abandon'])
    expect(late.out[0]!.requestId).toBe('r1')
  })

  it('an explicit signal on the last answer means no abandonment', () => {
    const events = [
      shown(0),
      ev('thumbs_down', 1),
      ev('explicit_correction', 2),
      ev('page_left', 3),
    ]
    expect(derive(events, T0 + 100 * MIN).out).toEqual([])
  })

  it('a gap longer than the window splits the session; a shorter window abandons more', () => {
    const events = [
      shown(0),
      shown(20, 'r2', 'what is the fee for a transfer'),
      ev('thumbs_up', 21, { requestId: 'r2' }),
    ]
    expect(derive(events, T0 + 200 * MIN, 30 * MIN).out).toEqual([])
    const short = derive(events, T0 + 200 * MIN, 10 * MIN).out
    expect(short.map((e) => [e.signal, e.requestId])).toEqual([['session_abandon', 'r1']])
  })

  it('the cursor closes sessions it has left behind, bounding memory', () => {
    const d = createImplicitDeriver({ now: T0 + 1000 * MIN, idf, sessionIdleMs: 30 * MIN })
    for (let i = 0; i < 100; i++)
      d.push(
        shown(i * 40, `r${i}`).sessionId
          ? { ...shown(i * 40, `r${i}`), sessionId: `s${i}` }
          : shown(0),
      )
    expect(d.stats().maxOpen).toBe(1)
    expect(d.stats().abandons).toBe(99)
  })
})

describe('rephrase', () => {
  it('a prompt asked again in other words rephrases the earlier answer', () => {
    const events = [
      ev('prompt_asked', 0, { requestId: 'p1', prompt: 'how do I reset my card pin' }),
      shown(0, 'r1', 'how do I reset my card pin'),
      ev('prompt_asked', 1, { requestId: 'p2', prompt: 'how can I reset the pin of my card' }),
    ]
    const out = derive(events, T0 + 2 * MIN).out
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({
      signal: 'rephrase',
      rephraseOf: 'r1',
      requestId: 'p2',
      prompt: 'how do I reset my card pin',
    })
  })

  it('not after a positive signal, nor past the window, nor for a different question', () => {
    const base = [shown(0, 'r1', 'how do I reset my card pin')]
    const again = (m: number) =>
      ev('prompt_asked', m, { requestId: 'p2', prompt: 'how can I reset the pin of my card' })
    expect(derive([...base, ev('thumbs_up', 1), again(2)], T0).out).toEqual([])
    // 45 minutes later: a new session (the first one's answer was abandoned), no rephrase.
    expect(derive([...base, again(45)], T0).out.map((e) => e.signal)).toEqual(['session_abandon'])
    expect(
      derive(
        [
          ...base,
          ev('prompt_asked', 1, { requestId: 'p2', prompt: 'what is the fee for a transfer' }),
        ],
        T0,
      ).out,
    ).toEqual([])
  })
})

describe('a fork of a running derivation', () => {
  it('derives from the tail what one pass over everything would, and leaves the original as it was', () => {
    const settled = [
      ev('prompt_asked', 0, { requestId: 'p1', prompt: 'how do I reset my card pin' }),
      shown(0, 'r1', 'how do I reset my card pin'),
      shown(5, 'r2', 'what is the fee for a transfer'),
    ]
    const tail = [
      ev('prompt_asked', 6, { requestId: 'p3', prompt: 'how can I reset the pin of my card' }),
      ev('thumbs_up', 7, { requestId: 'r2', sessionId: 's2', userId: 'u2' }),
    ]
    const now = T0 + 60 * MIN
    const whole = derive([...settled, ...tail], now).out
    const running = createImplicitDeriver({ now: T0, idf, sessionIdleMs: 30 * MIN })
    const fromSettled = settled.flatMap((e) => running.push(e))
    const twice = [1, 2].map(() => {
      const fork = running.fork(now)
      return [...fromSettled, ...tail.flatMap((e) => fork.push(e)), ...fork.end()]
    })
    expect(whole.map((e) => [e.signal, e.requestId])).toEqual([
      ['rephrase', 'p3'],
      ['session_abandon', 'r2'],
    ])
    // The same from a fork, and again from a second fork: the first left the original alone.
    expect(twice[0]).toEqual(whole)
    expect(twice[1]).toEqual(whole)
    expect(running.stats()).toMatchObject({ sessions: 1, rephrases: 0, abandons: 0 })
  })
})
