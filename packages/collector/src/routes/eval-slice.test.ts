// GET /v1/eval-slice through the real server: the same 5 % of a week's shown answers, every time.
import { isInEvalSlice } from '@tightloop/pipeline'
import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'
import { isoWeekStart } from './eval-slice.ts'

const DAY = 86_400_000
// 2026-W47 runs from Monday 16 to Sunday 22 November 2026.
const WEEK = '2026-W47'
const MONDAY = Date.parse('2026-11-16T00:00:00.000Z')
const SHOWN = 2_000
let clock = MONDAY + 3 * DAY
let collector: TestCollector

async function send(at: number, events: FeedbackEvent[]) {
  clock = at
  for (let i = 0; i < events.length; i += 100) {
    const res = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${collector.publicKey}`,
      },
      body: JSON.stringify({ events: events.slice(i, i + 100) }),
    })
    expect(res.status).toBe(200)
  }
}

async function slice(query: string) {
  const res = await fetch(`${collector.url}/v1/eval-slice${query}`, {
    headers: { authorization: `Bearer ${collector.secretKey}` },
  })
  const text = await res.text()
  return {
    res,
    text,
    rows: text
      ? text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [],
  }
}

const shown = (i: number, at: number) =>
  makeEvent('response_shown', {
    eventId: `shown-${at}-${i}`,
    requestId: `req-${at}-${i}`,
    occurredAt: new Date(at).toISOString(),
  })

beforeAll(async () => {
  collector = await startTestCollector({ now: () => clock })
  const mid = MONDAY + 3 * DAY
  await send(
    mid,
    Array.from({ length: SHOWN }, (_, i) => shown(i, mid)),
  )
  // Feedback is never in the slice; neither is the next week's traffic.
  await send(
    mid,
    Array.from({ length: 50 }, () =>
      makeEvent('thumbs_down', { occurredAt: new Date(mid).toISOString() }),
    ),
  )
  const next = MONDAY + 8 * DAY
  await send(
    next,
    Array.from({ length: 400 }, (_, i) => shown(i, next)),
  )
  // Late arrivals of the week: within the 2-day allowance, and past it.
  const sunday = MONDAY + 6 * DAY + 3_600_000
  await send(
    MONDAY + 8 * DAY,
    Array.from({ length: 400 }, (_, i) => shown(i, sunday)),
  )
  await send(
    MONDAY + 10 * DAY,
    Array.from({ length: 400 }, (_, i) => shown(i + 400, sunday)),
  )
  clock = MONDAY + 12 * DAY
})
afterAll(async () => {
  await collector?.close()
})

describe('GET /v1/eval-slice', () => {
  it('parses ISO weeks and refuses weeks that do not exist', () => {
    expect(isoWeekStart(WEEK)).toBe(MONDAY)
    expect(isoWeekStart('2026-W01')).toBe(Date.parse('2025-12-29T00:00:00Z'))
    expect(isoWeekStart('2020-W53')).toBe(Date.parse('2020-12-28T00:00:00Z'))
    expect(isoWeekStart('2021-W53')).toBeNull()
    expect(isoWeekStart('2026-W00')).toBeNull()
    expect(isoWeekStart('2026-47')).toBeNull()
  })

  it.each(['2021-W53', '2026-W00', 'last-week', '2026-W7'])(
    'answers week=%s with a 400 JSON error',
    async (week) => {
      const { res, text } = await slice(`?week=${week}`)
      expect(res.status).toBe(400)
      expect(JSON.parse(text).error.code).toBe('invalid_query')
    },
  )

  it('needs the secret key', async () => {
    const res = await fetch(`${collector.url}/v1/eval-slice?week=${WEEK}`, {
      headers: { authorization: `Bearer ${collector.publicKey}` },
    })
    expect(res.status).toBe(403)
  })

  it('holds exactly the shown answers of the week whose hash is in the 5 %, and the same rows every time', async () => {
    const first = await slice(`?week=${WEEK}`)
    expect(first.res.status).toBe(200)
    expect(first.res.headers.get('x-tightloop-slice-frozen')).toBe('true')
    const rows = first.rows as StoredEvent[]
    for (const row of rows) {
      expect(row.signal).toBe('response_shown')
      expect(isInEvalSlice(row)).toBe(true)
      const t = Date.parse(row.occurredAt)
      expect(t >= MONDAY && t < MONDAY + 7 * DAY).toBe(true)
    }
    // The in-week traffic and the late arrivals within the allowance: 2,400 answers.
    const candidates = [
      ...Array.from({ length: SHOWN }, (_, i) => `req-${MONDAY + 3 * DAY}-${i}`),
      ...Array.from({ length: 400 }, (_, i) => `req-${MONDAY + 6 * DAY + 3_600_000}-${i}`),
    ]
    const ids = new Set(rows.map((r) => r.requestId))
    expect(ids.size).toBe(rows.length)
    const late = rows.filter((r) => r.requestId.startsWith(`req-${MONDAY + 6 * DAY + 3_600_000}-`))
    expect(late.every((r) => Number(r.requestId.split('-').at(-1)) < 400)).toBe(true)
    for (const id of ids) expect(candidates).toContain(id)
    // 5 % of 2,400 is 120; the hash is uniform, so well within ±45.
    expect(rows.length).toBeGreaterThan(75)
    expect(rows.length).toBeLessThan(165)

    const second = await slice(`?week=${WEEK}`)
    expect(second.text).toBe(first.text)
  })

  it('says a slice is not frozen while late arrivals may still join', async () => {
    clock = MONDAY + 8 * DAY
    const { res } = await slice(`?week=${WEEK}`)
    expect(res.headers.get('x-tightloop-slice-frozen')).toBe('false')
    clock = MONDAY + 12 * DAY
  })

  it('defaults to the last complete week', async () => {
    clock = MONDAY + 9 * DAY // in 2026-W48
    const { res } = await slice('')
    expect(res.headers.get('x-tightloop-slice-week')).toBe(WEEK)
    clock = MONDAY + 12 * DAY
  })
})
