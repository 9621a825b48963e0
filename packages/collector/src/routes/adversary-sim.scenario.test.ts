// Scenario: simulated traffic with planted poisoners of each kind posted to the real collector;
// the first export already holds none of their rows, with no manual step. SQLite always,
// PostgreSQL when TIGHTLOOP_TEST_POSTGRES is set.
import type { FeedbackEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SIMULATION, simulateTraffic } from '../../../pipeline/src/testing/traffic-sim.ts'
import type { Store } from '../store/types.ts'
import {
  exportWithTrailer,
  onEachEngine,
  startTestCollector,
  type TestCollector,
} from '../testing.ts'

const KINDS = [
  'flooder',
  'poisoner',
  'injector',
  'sybil',
  'slow_poisoner',
  'link_spammer',
  'templated',
  'troll',
  'ring',
  'contradiction',
] as const
const BATCH = 100

function scenario(engine: string, store?: () => Promise<Store>, dropStore?: () => Promise<void>) {
  let collector: TestCollector
  const sim = simulateTraffic({
    ...DEFAULT_SIMULATION,
    honestUsers: 300,
    attackers: Object.fromEntries(
      Object.keys(DEFAULT_SIMULATION.attackers).map((k) => [
        k,
        (KINDS as readonly string[]).includes(k) ? ({ sybil: 24, ring: 5 }[k] ?? 2) : 0,
      ]),
    ) as typeof DEFAULT_SIMULATION.attackers,
  })

  beforeAll(async () => {
    collector = await startTestCollector({
      now: () => DEFAULT_SIMULATION.now,
      ...(store && { store: await store() }),
    })
    await collector.store.updateProject(collector.project.id, { evalHoldout: false })
    // Posted as browsers send them: the stored fields are the collector's to stamp.
    const wire = sim.events.map((e) => {
      const {
        receivedAt: _r,
        clientOccurredAt: _c,
        ...event
      } = e as typeof e & {
        clientOccurredAt?: string
      }
      return event as FeedbackEvent
    })
    for (let i = 0; i < wire.length; i += BATCH) {
      const res = await fetch(`${collector.url}/v1/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${collector.publicKey}`,
        },
        body: JSON.stringify({ events: wire.slice(i, i + BATCH) }),
      })
      expect(res.status).toBe(200)
    }
  }, 120_000)

  afterAll(async () => {
    await collector?.close()
    if (collector && store) await collector.store.close()
    await dropStore?.()
  })

  describe(`simulated poisoners on the real collector (${engine})`, () => {
    it('the first export holds no poisoner row of any kind, and the honest rows', async () => {
      const { records: lines, trailer } = await exportWithTrailer(collector)
      expect(trailer.rules.adversaryPolicy).toBe('quarantine')
      const listed = (await (
        await fetch(`${collector.url}/v1/adversaries`, {
          headers: { authorization: `Bearer ${collector.secretKey}` },
        })
      ).json()) as { adversaries: { userId: string; status: string }[] }
      const flagged = new Set(listed.adversaries.map((a) => a.userId))
      for (const [userId, kind] of sim.attackers) {
        expect(flagged.has(userId), `${kind} ${userId} not flagged`).toBe(true)
      }
      const honestFlagged = sim.honestUsers.filter((u) => flagged.has(u))
      expect(honestFlagged.length).toBeLessThanOrEqual(3) // ≤ 1 % of 300
      // Rows carry no user id: attacker texts must be absent. Every attacker correction text
      // is the row's `preferred`.
      const exported = new Set(lines.map((l) => l.preferred))
      // Rows without a correction (a troll's thumbs-down) are told apart by their answer: every
      // simulated non-FAQ answer is the text of one request, and FAQ answers get no votes here.
      const rejected = new Set(lines.filter((l) => l.preferred === null).map((l) => l.rejected))
      const honestAnswers = new Set(
        sim.events.filter((e) => !sim.attackers.has(e.userId)).map((e) => e.response),
      )
      for (const e of sim.events) {
        if (!sim.attackers.has(e.userId)) continue
        if (e.signal === 'explicit_correction') {
          expect(exported.has(e.correctionText), `${sim.attackers.get(e.userId)} leaked`).toBe(
            false,
          )
        } else if (e.signal === 'thumbs_down' && !honestAnswers.has(e.response)) {
          expect(rejected.has(e.response), `${sim.attackers.get(e.userId)} leaked`).toBe(false)
        }
      }
      expect(trailer.dropped.adversarial_user).toBeGreaterThan(1_000)
      expect(trailer.rows).toBeGreaterThan(100)
    })
  })
}

onEachEngine(scenario)
