// Scenario: answers in the frozen eval slice never train, in any export format, unless the
// project explicitly turns the holdout off. Real collector, real HTTP; SQLite always and
// PostgreSQL when TIGHTLOOP_TEST_POSTGRES is set.
import { isoWeekKey, isRequestInEvalSlice } from '@tightloop/pipeline'
import type { FeedbackEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../store/types.ts'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'

const DAY = 86_400_000
// Thursday of 2026-W47: the answers and their feedback fall in that week, far from its edges.
const SENT_AT = Date.parse('2026-11-19T12:00:00.000Z')
const WEEK = isoWeekKey(SENT_AT)
const NOW = SENT_AT + 5 * DAY
const ANSWER = 'Refunds are processed within 30 days of the request.'
const FORMATS = ['native', 'dpo', 'kto', 'openai'] as const
/** Request ids tried until enough fall in and out of the slice (5 % of ids are in). */
const CANDIDATE_IDS = 400

function scenario(engine: string, store?: () => Promise<Store>, dropStore?: () => Promise<void>) {
  let collector: TestCollector
  let clock = NOW
  const sliced: string[] = []
  const kept: string[] = []

  // Distinct words per answer: one text from many accounts would rightly be flagged as a campaign.
  const correctionFor = (requestId: string) =>
    `The refund for ${requestId.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)} arrives within a week.`

  async function secret(path: string) {
    const res = await fetch(`${collector.url}${path}`, {
      headers: { authorization: `Bearer ${collector.secretKey}` },
    })
    expect(res.status).toBe(200)
    return res
  }
  async function lines(path: string) {
    return (await (await secret(path)).text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  }

  beforeAll(async () => {
    collector = await startTestCollector({
      now: () => clock,
      ...(store && { store: await store() }),
    })
    for (let i = 0; i < CANDIDATE_IDS && (sliced.length < 4 || kept.length < 4); i++) {
      const id = `req-holdout-${engine}-${i}`
      const into = isRequestInEvalSlice(id, WEEK) ? sliced : kept
      if (into.length < 4) into.push(id)
    }
    expect(sliced).toHaveLength(4)
    const events: FeedbackEvent[] = []
    for (const [n, requestId] of [...sliced, ...kept].entries()) {
      const base = {
        requestId,
        userId: `user-${n}`,
        prompt: `How long does refund ${requestId} take?`,
        response: ANSWER,
        occurredAt: new Date(SENT_AT + n * 60_000).toISOString(),
      }
      events.push(makeEvent('response_shown', base))
      events.push(
        makeEvent('explicit_correction', { ...base, correctionText: correctionFor(requestId) }),
      )
    }
    // Posted while SENT_AT is "now" (the skew check), exported five days later.
    clock = SENT_AT
    const res = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${collector.publicKey}`,
      },
      body: JSON.stringify({ events }),
    })
    clock = NOW
    expect(res.status).toBe(200)
    expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length)
    expect(collector.project.evalHoldout).toBe(true)
  })

  afterAll(async () => {
    await collector?.close()
    if (collector && store) await collector.store.close()
    await dropStore?.()
  })

  describe(`eval holdout on the real collector (${engine})`, () => {
    it('GET /v1/eval-slice lists the sliced answers', async () => {
      const rows = await lines(`/v1/eval-slice?week=${WEEK}`)
      expect(rows.map((r) => r.requestId).sort()).toEqual([...sliced].sort())
    })

    it('no format exports a correction of a sliced answer; the others are all there', async () => {
      for (const format of FORMATS) {
        const text = JSON.stringify(await lines(`/v1/export?format=${format}`))
        for (const id of sliced)
          expect(text, `${format} leaks ${id}`).not.toContain(correctionFor(id))
        for (const id of kept) expect(text, `${format} lost ${id}`).toContain(correctionFor(id))
      }
    })

    it('counts the held-out events as eval_holdout in the export, its trailer and /v1/stats', async () => {
      const stats = (await (await secret('/v1/export/stats')).json()) as {
        rows: number
        dropped: Record<string, number>
        rules: { evalHoldout: boolean }
      }
      expect(stats.dropped.eval_holdout).toBe(sliced.length)
      expect(stats.rows).toBe(kept.length)
      expect(stats.rules.evalHoldout).toBe(true)
      const trailer = (await lines('/v1/export?format=dpo&stats=trailer')).at(-1) as {
        tightloop_export_stats: { dropped: Record<string, number> }
      }
      expect(trailer.tightloop_export_stats.dropped.eval_holdout).toBe(sliced.length)
      const report = (await (await secret('/v1/stats')).json()) as {
        candidates: { rows: number; dropped: Record<string, number>; policy: object }
      }
      expect(report.candidates.dropped.eval_holdout).toBe(sliced.length)
      expect(report.candidates.rows).toBe(kept.length)
      expect(report.candidates.policy).toMatchObject({ evalHoldout: true })
    })

    it('only an explicit project setting lets the slice train, and the trailer says so', async () => {
      await collector.store.updateProject(collector.project.id, { evalHoldout: false })
      try {
        const rows = await lines('/v1/export?format=dpo&stats=trailer')
        const trailer = rows.pop() as {
          tightloop_export_stats: {
            rules: { evalHoldout: boolean }
            dropped: Record<string, number>
          }
        }
        expect(trailer.tightloop_export_stats.rules.evalHoldout).toBe(false)
        expect(trailer.tightloop_export_stats.dropped.eval_holdout).toBe(0)
        expect(rows).toHaveLength(sliced.length + kept.length)
        const report = (await (await secret('/v1/stats')).json()) as {
          candidates: { rows: number; dropped: Record<string, number> }
        }
        expect(report.candidates.dropped.eval_holdout).toBe(0)
        expect(report.candidates.rows).toBe(sliced.length + kept.length)
      } finally {
        await collector.store.updateProject(collector.project.id, { evalHoldout: true })
      }
    })
  })
}

onEachEngine(scenario)
