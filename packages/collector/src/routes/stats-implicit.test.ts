// GET /v1/stats counts the abandonments and rephrases the export derives from the stored
// sessions, under the project's current settings, and drops those older browsers sent, as the
// export does: on a real SQLite file and on a real PostgreSQL schema when one is configured.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FeedbackEvent } from '@tightloop/schema'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'
import type { StatsReport } from './stats.ts'
import { createStatsCache, type StatsCache } from './stats-aggregates.ts'

const MIN = 60_000
const T0 = Date.parse('2026-11-20T12:00:00Z')

let clock = T0
let collector: TestCollector | undefined
let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await collector?.close()
  await cleanup?.()
  collector = undefined
  cleanup = undefined
  clock = T0
})

async function start(openStore?: () => Promise<Store>, dropStore?: () => Promise<void>) {
  // No eval slice: a derived row about an answer in it would be held out (as in the export).
  const project = { name: 'derives', allowedOrigins: ['*'], evalHoldout: false }
  const store = await openStore?.()
  if (store) {
    cleanup = async () => {
      await store.close()
      await dropStore?.()
    }
  }
  collector = await startTestCollector({ ...(store && { store }), now: () => clock, project })
  return collector
}

async function post(c: TestCollector, at: number, events: FeedbackEvent[]) {
  clock = at
  const res = await fetch(`${c.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.publicKey}` },
    body: JSON.stringify({ events }),
  })
  expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([])
}

const get = async <T>(c: TestCollector, path: string): Promise<T> => {
  const res = await fetch(`${c.url}${path}`, {
    headers: { authorization: `Bearer ${c.secretKey}` },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

/** One user's session: a question answered at `minute`, then what they did next. */
function session(user: string, minute: number, then: 'up' | 'reask' | 'nothing' | 'old-client') {
  const common = { userId: user, sessionId: `s-${user}` }
  const at = (m: number) => new Date(T0 + m * MIN).toISOString()
  const prompt = 'how do I reset my card pin'
  const events = [
    makeEvent('response_shown', {
      ...common,
      requestId: `${user}-r1`,
      prompt,
      response: 'Open Settings, then PIN.',
      occurredAt: at(minute),
    }),
  ]
  if (then === 'up')
    events.push(
      makeEvent('thumbs_up', { ...common, requestId: `${user}-r1`, occurredAt: at(minute + 1) }),
    )
  if (then === 'reask')
    events.push(
      makeEvent('response_shown', {
        ...common,
        requestId: `${user}-r2`,
        prompt: 'how can I reset the pin of my card',
        response: 'Go to Card, then Reset PIN.',
        occurredAt: at(minute + 2),
      }),
    )
  if (then === 'old-client')
    events.push(
      makeEvent('session_abandon', {
        ...common,
        requestId: `${user}-r1`,
        occurredAt: at(minute + 1),
      }),
    )
  return events
}

onEachEngine((engine, openStore, dropStore) =>
  describe(`derived implicit signals in GET /v1/stats on ${engine}`, () => {
    it('counts what the export derives, follows the window setting, and drops browser-sent ones', async () => {
      const c = await start(openStore, dropStore)
      await post(c, T0, [
        ...session('happy', 0, 'up'),
        ...session('reasker', 0, 'reask'),
        ...session('silent', 0, 'nothing'),
        ...session('legacy', 0, 'old-client'),
      ])
      // Late in a second session of "silent": 20 minutes after the first answer.
      await post(c, T0 + 20 * MIN, [
        makeEvent('response_shown', {
          userId: 'silent',
          sessionId: 's-silent',
          requestId: 'silent-r2',
          prompt: 'what is the fee for a transfer',
          response: 'It is free.',
          occurredAt: new Date(T0 + 20 * MIN).toISOString(),
        }),
      ])
      const matchesExport = async () => {
        const r = await get<StatsReport>(c, '/v1/stats')
        const exported = await get<{
          rows: number
          dropped: Record<string, number>
          events: number
        }>(c, '/v1/export/stats?format=native')
        expect(r.meta.implicitSignals).toBe('derived')
        expect(r.candidates.events).toBe(exported.events)
        expect(r.candidates.rows).toBe(exported.rows)
        expect(r.candidates.dropped).toEqual(exported.dropped)
        return r
      }
      clock = T0 + 180 * MIN
      const wide = await matchesExport()
      // 30 minutes: reasker's second answer rephrases the first and is itself abandoned; silent's
      // session (both answers) ends once, abandoned; legacy's browser-sent abandonment does not
      // count, the derived one does. happy voted: nothing.
      expect(wide.candidates.bySignal.rephrase.rows).toBe(1)
      expect(wide.candidates.bySignal.session_abandon.rows).toBe(3)
      expect(wide.candidates.bySignal.session_abandon.dropped.client_implicit).toBe(1)
      const abandonVolume = (r: StatsReport) =>
        r.days.reduce((n, d) => n + d.volume.session_abandon, 0)
      // The drift series counts the derived ones too (and, stored, the browser-sent one).
      expect(abandonVolume(wide)).toBe(4)

      // A 10-minute window: silent's gap of 20 minutes ends its first session: one more, with
      // no new event.
      await c.store.updateProject(c.project.id, { sessionIdleMinutes: 10 })
      const narrow = await matchesExport()
      expect(narrow.candidates.bySignal.session_abandon.rows).toBe(4)
      expect(abandonVolume(narrow)).toBe(5)
    })

    it('derives what the last minute (not settled yet) completes, and nothing when turned off', async () => {
      const c = await start(openStore, dropStore)
      await post(c, T0, session('reasker', 0, 'reask'))
      clock = T0 + 3 * MIN
      const fresh = await get<StatsReport>(c, '/v1/stats')
      expect(fresh.candidates.bySignal.rephrase.rows).toBe(1) // the rephrase, from the tail
      expect(fresh.candidates.bySignal.session_abandon.rows).toBe(0) // the session is still open
      clock = T0 + 60 * MIN
      expect(
        (await get<StatsReport>(c, '/v1/stats')).candidates.bySignal.session_abandon.rows,
      ).toBe(1)
      await c.store.updateProject(c.project.id, { deriveImplicitSignals: false })
      const off = await get<StatsReport>(c, '/v1/stats')
      expect(off.meta.implicitSignals).toBe('off')
      expect(
        off.candidates.bySignal.rephrase.events + off.candidates.bySignal.session_abandon.events,
      ).toBe(0)
    })
  }),
)

/**
 * A collector on its own SQLite file whose derivation of implicit signals `wrap` replaces,
 * holding one session that re-asks (a rephrase, then an abandonment).
 */
async function startWithDerivation(
  name: string,
  wrap: (implicit: StatsCache['implicit']) => StatsCache['implicit'],
) {
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-implicit-'))
  cleanup = async () => rmSync(dir, { recursive: true, force: true })
  const store = createSqliteStore(join(dir, 'db.sqlite'))
  await store.migrate()
  const cache = createStatsCache(store)
  cache.implicit = wrap(cache.implicit)
  const project = { name, allowedOrigins: ['*'], evalHoldout: false }
  collector = await startTestCollector({ store, statsCache: cache, now: () => clock, project })
  await post(collector, T0, session('reasker', 0, 'reask'))
  return collector
}

it('answers without waiting for a first derivation that takes long, and says so', async () => {
  // The first derivation is held until the test lets it go (as on a big project).
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const c = await startWithDerivation('slow', ({ read, hasDerived }) => ({
    read: (p, now) => held.then(() => read(p, now)),
    hasDerived,
  }))
  clock = T0 + 60 * MIN
  const early = await get<StatsReport>(c, '/v1/stats')
  expect(early.meta.implicitSignals).toBe('running')
  expect(early.candidates.bySignal.rephrase.events).toBe(0)
  release()
  await held
  let later = early
  while (later.meta.implicitSignals !== 'derived') later = await get<StatsReport>(c, '/v1/stats')
  expect(later.candidates.bySignal.rephrase.rows).toBe(1)
})

it('answers a report that is only late (no read under way) instead of a 202 telling of one', async () => {
  // A later derivation (not the first) that takes 1.5 s, as when the first one of another
  // request hogs the process: the aggregates and the scan are done, nothing reads events.
  let slow = false
  const c = await startWithDerivation('late', ({ read }) => ({
    read: async (p, now) => {
      if (slow) await new Promise((r) => setTimeout(r, 1_500))
      return read(p, now)
    },
    hasDerived: () => true,
  }))
  clock = T0 + 60 * MIN
  await get<StatsReport>(c, '/v1/stats')
  slow = true
  const res = await fetch(`${c.url}/v1/stats`, {
    headers: { authorization: `Bearer ${c.secretKey}` },
  })
  expect(res.status).toBe(200)
  const report = (await res.json()) as StatsReport
  expect(report.candidates.bySignal.rephrase.rows).toBe(1)
})
