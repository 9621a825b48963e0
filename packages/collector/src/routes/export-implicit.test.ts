// Implicit signals derived at export time from stored traffic, under the project's settings.
import type { FeedbackEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'

const MIN = 60_000
const T0 = Date.parse('2026-11-20T12:00:00.000Z')
let clock = T0
let collector: TestCollector

const at = (ms: number) => new Date(ms).toISOString()
const session = { sessionId: 'sess-1', userId: 'user-1' }

async function send(when: number, events: FeedbackEvent[]) {
  clock = when
  const res = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.publicKey}` },
    body: JSON.stringify({ events }),
  })
  expect(res.status).toBe(200)
}

async function exportRows() {
  clock = T0 + 180 * MIN
  const res = await fetch(`${collector.url}/v1/export?stats=trailer`, {
    headers: { authorization: `Bearer ${collector.secretKey}` },
  })
  const lines = (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  const trailer = lines.pop().tightloop_export_stats
  return { rows: lines as { source: string; rejected: string }[], trailer }
}

beforeAll(async () => {
  collector = await startTestCollector({ now: () => clock })
  const first = 'how do I reset my card pin'
  const again = 'how can I reset the pin of my card'
  await send(T0, [
    makeEvent('prompt_asked', { ...session, requestId: 'p1', prompt: first, occurredAt: at(T0) }),
    makeEvent('response_shown', {
      ...session,
      requestId: 'r1',
      prompt: first,
      response: 'Open Settings, then PIN.',
      occurredAt: at(T0),
    }),
    // What an older browser decided itself: stored, but not trained on when derivation is on.
    makeEvent('session_abandon', { ...session, requestId: 'r1', occurredAt: at(T0) }),
  ])
  await send(T0 + 20 * MIN, [
    makeEvent('prompt_asked', {
      ...session,
      requestId: 'p2',
      prompt: again,
      occurredAt: at(T0 + 20 * MIN),
    }),
    makeEvent('response_shown', {
      ...session,
      requestId: 'r2',
      prompt: again,
      response: 'Go to Card, then Reset PIN.',
      occurredAt: at(T0 + 20 * MIN),
    }),
  ])
})
afterAll(async () => {
  await collector?.close()
})

describe('derived implicit signals', () => {
  it('follow the project window setting, with no new events', async () => {
    const wide = await exportRows()
    // 30 minutes: one session, r2 rephrases r1, and the session's last answer was abandoned.
    expect(wide.rows.map((r) => [r.source, r.rejected]).sort()).toEqual([
      ['rephrase', 'Open Settings, then PIN.'],
      ['session_abandon', 'Go to Card, then Reset PIN.'],
    ])
    expect(wide.trailer.bySignal.session_abandon.dropped.client_implicit).toBe(1)
    expect(wide.trailer.implicit).toMatchObject({ sessions: 1, abandons: 1, rephrases: 1 })

    await collector.store.updateProject(collector.project.id, { sessionIdleMinutes: 10 })
    const narrow = await exportRows()
    // 10 minutes: the 20-minute gap ends the first session; two abandonments, no rephrase.
    expect(narrow.rows.map((r) => [r.source, r.rejected]).sort()).toEqual([
      ['session_abandon', 'Go to Card, then Reset PIN.'],
      ['session_abandon', 'Open Settings, then PIN.'],
    ])
    expect(narrow.trailer.implicit).toMatchObject({ sessions: 2, abandons: 2, rephrases: 0 })
  })

  it('turned off, the browsers’ own events train again and nothing is derived', async () => {
    await collector.store.updateProject(collector.project.id, { deriveImplicitSignals: false })
    const off = await exportRows()
    expect(off.rows.map((r) => r.source)).toEqual(['session_abandon'])
    expect(off.trailer.implicit).toBeUndefined()
    await collector.store.updateProject(collector.project.id, {
      deriveImplicitSignals: true,
      sessionIdleMinutes: 30,
    })
  })
})
