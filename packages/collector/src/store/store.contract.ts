// The one store test suite: every engine runs it unchanged against a real database.
import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent } from '../testing.ts'
import type { EventRow, SkippedEvent, Store } from './types.ts'

/**
 * Opens a handle on the database called `name`, not yet migrated. Asking twice for one name
 * gives two handles on the same data, as two collector processes would have.
 */
export type OpenStore = (name: string) => Promise<Store>

/** What an engine promises beyond the interface. */
export interface StoreTraits {
  /** Rate-limit counters are shared by every handle on the database (PostgreSQL), not per process. */
  sharedRateLimits: boolean
}

const T0 = Date.UTC(2026, 10, 26, 12) // a fixed instant, so windows and ranges are exact

/** An insertable row for `event`, received at `receivedAt`. */
export function rowOf(event: FeedbackEvent, receivedAt: number): EventRow {
  const stored: StoredEvent = {
    ...event,
    receivedAt: new Date(receivedAt).toISOString(),
    clientOccurredAt: event.occurredAt,
  }
  return {
    eventId: event.eventId,
    signal: event.signal,
    requestId: event.requestId,
    userId: event.userId,
    occurredAt: Math.min(Date.parse(event.occurredAt), receivedAt),
    receivedAt,
    productVersion: event.productVersion ?? null,
    event: stored,
  }
}

const ids = (events: { eventId: string }[]) => events.map((e) => e.eventId)

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  for await (const e of iterable) out.push(e)
  return out
}

/**
 * Declares the store contract for one engine.
 *
 * @example describeStoreContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)), { sharedRateLimits: false })
 */
export function describeStoreContract(engine: string, open: OpenStore, traits: StoreTraits) {
  describe(`${engine} store contract`, () => {
    const handles: Store[] = []
    let store: Store
    const handle = async (name: string) => {
      const s = await open(name)
      handles.push(s)
      return s
    }
    const newProject = (name = 'p') => store.createProject({ name })

    beforeAll(async () => {
      store = await handle('main')
      await store.migrate()
    })
    afterAll(async () => {
      for (const s of handles.reverse()) await s.close()
    })

    it('migrates a fresh database from two processes at once, then again as a no-op', async () => {
      const [a, b] = [await handle('migrate-race'), await handle('migrate-race')]
      await Promise.all([a.migrate(), b.migrate()])
      await a.migrate()
      const p = await a.createProject({ name: 'after-race' })
      expect((await b.getProject(p.id))?.name).toBe('after-race')
    })

    describe('projects and keys', () => {
      it('creates a project with defaults, updates and lists it', async () => {
        const p = await store.createProject({ name: 'shop', allowedOrigins: ['https://a.example'] })
        expect(p).toMatchObject({
          name: 'shop',
          allowedOrigins: ['https://a.example'],
          scrubPii: false,
        })
        expect(p.escalationReasons.length).toBeGreaterThan(0)
        expect(Number.isNaN(Date.parse(p.createdAt))).toBe(false)
        const u = await store.updateProject(p.id, {
          ttlDays: 7,
          scrubPii: true,
          escalationReasons: ['b', 'a'],
        })
        expect(u).toMatchObject({
          id: p.id,
          name: 'shop',
          ttlDays: 7,
          scrubPii: true,
          escalationReasons: ['b', 'a'],
        })
        expect(await store.getProject(p.id)).toEqual(u)
        expect(ids((await store.listProjects()).map((x) => ({ eventId: x.id })))).toContain(p.id)
        expect(await store.getProject('prj_missing')).toBeNull()
        await expect(store.updateProject('prj_missing', { name: 'x' })).rejects.toThrow()
      })

      it('keeps the later settings with their defaults, and changes one without the others', async () => {
        const p = await store.createProject({ name: 'settings' })
        expect(p).toMatchObject({
          evalHoldout: true,
          adversaryPolicy: 'quarantine',
          requireAnswerLog: false,
          eventWindowDays: 90,
          retentionDays: null,
        })
        const u = await store.updateProject(p.id, { evalHoldout: false, retentionDays: 30 })
        expect(u).toMatchObject({ evalHoldout: false, retentionDays: 30, eventWindowDays: 90 })
        const v = await store.updateProject(p.id, { adversaryPolicy: 'include-until-confirmed' })
        expect(v).toMatchObject({
          evalHoldout: false,
          retentionDays: 30,
          adversaryPolicy: 'include-until-confirmed',
        })
        expect(await store.getProject(p.id)).toEqual(v)
      })

      it('finds a key with its project in one call, and sees changes to either at once', async () => {
        const p = await newProject()
        const soon = new Date(T0 + 60_000).toISOString()
        await store.addKey({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_j_${p.id}`,
          expiresAt: null,
        })
        expect(await store.findKeyWithProject(`pk_j_${p.id}`)).toEqual({
          key: { projectId: p.id, kind: 'public', lookup: `pk_j_${p.id}`, expiresAt: null },
          project: await store.getProject(p.id),
        })
        const u = await store.updateProject(p.id, { allowedOrigins: ['https://b.example'] })
        await store.expireKeys(p.id, 'public', soon)
        expect(await store.findKeyWithProject(`pk_j_${p.id}`)).toEqual({
          key: { projectId: p.id, kind: 'public', lookup: `pk_j_${p.id}`, expiresAt: soon },
          project: u,
        })
        expect(await store.findKeyWithProject('pk_nobody')).toBeNull()
      })

      it('finds keys, and expires only keys of that kind that expire later or never', async () => {
        const p = await newProject()
        const later = new Date(T0 + 86_400_000).toISOString()
        const soon = new Date(T0 + 60_000).toISOString()
        await store.addKey({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_a_${p.id}`,
          expiresAt: null,
        })
        await store.addKey({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_b_${p.id}`,
          expiresAt: later,
        })
        await store.addKey({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_c_${p.id}`,
          expiresAt: new Date(T0).toISOString(),
        })
        await store.addKey({
          projectId: p.id,
          kind: 'secret',
          lookup: `sk_${p.id}`,
          expiresAt: null,
        })
        await store.expireKeys(p.id, 'public', soon)
        expect(await store.findKey(`pk_a_${p.id}`)).toEqual({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_a_${p.id}`,
          expiresAt: soon,
        })
        expect((await store.findKey(`pk_b_${p.id}`))?.expiresAt).toBe(soon)
        expect((await store.findKey(`pk_c_${p.id}`))?.expiresAt).toBe(new Date(T0).toISOString())
        expect((await store.findKey(`sk_${p.id}`))?.expiresAt).toBeNull()
        expect(await store.findKey('pk_nobody')).toBeNull()
        // Adding a key again replaces it (provisioning runs on every start).
        await store.addKey({
          projectId: p.id,
          kind: 'public',
          lookup: `pk_a_${p.id}`,
          expiresAt: null,
        })
        expect((await store.findKey(`pk_a_${p.id}`))?.expiresAt).toBeNull()
      })
    })

    describe('events', () => {
      it('stores an event once per project, however often and in whichever batch it comes', async () => {
        const [p, q] = [await newProject(), await newProject()]
        const events = [
          makeEvent(),
          makeEvent('csat', { csat: 4 }),
          makeEvent('explicit_correction'),
        ]
        const rows = events.map((e) => rowOf(e, T0))
        expect(await store.insertEvents(p.id, rows)).toEqual({ inserted: 3, duplicates: 0 })
        expect(await store.insertEvents(p.id, rows)).toEqual({ inserted: 0, duplicates: 3 })
        const fresh = rowOf(makeEvent(), T0)
        // The same id twice inside one batch: the first copy counts, the second is a duplicate.
        expect(await store.insertEvents(p.id, [fresh, rows[0]!, fresh])).toEqual({
          inserted: 1,
          duplicates: 2,
        })
        expect(await store.insertEvents(q.id, rows)).toEqual({ inserted: 3, duplicates: 0 })
        expect(await store.insertEvents(p.id, [])).toEqual({ inserted: 0, duplicates: 0 })
        expect(await store.countEvents(p.id)).toBe(4)
        expect(await store.countEvents(q.id)).toBe(3)
        const stored = await collect(store.streamEvents(p.id))
        expect(stored.find((e) => e.eventId === events[1]!.eventId)).toEqual(rows[1]!.event)
      })

      it('merges a thumbs-down amendment into its vote, or stores it as the vote when alone', async () => {
        const p = await newProject()
        const vote = makeEvent('thumbs_down', { metadata: { plan: 'pro' } })
        // An amendment as ingest hands it over: already under the eventId of the vote.
        const amendment = (overrides: Record<string, unknown>, of = vote) =>
          rowOf(
            makeEvent('thumbs_down', {
              eventId: of.eventId,
              requestId: of.requestId,
              ...overrides,
            }),
            T0 + 1,
          )
        await store.insertEvents(p.id, [rowOf(vote, T0)])
        const reasons = { comment: 'fee is wrong', metadata: { plan: 'pro', wrong: 'incorrect' } }
        expect(await store.amendEvents(p.id, [amendment(reasons)])).toEqual([true])
        let stored = await collect(store.streamEvents(p.id))
        expect(stored).toHaveLength(1)
        expect(stored[0]).toEqual({ ...rowOf(vote, T0).event, ...reasons })
        // The latest amendment wins; one without reasons withdraws them.
        expect(await store.amendEvents(p.id, [amendment({})])).toEqual([true])
        stored = await collect(store.streamEvents(p.id))
        expect(stored).toEqual([rowOf(vote, T0).event].map(({ metadata: _, ...e }) => e))

        // Not a thumbs_down of that user and answer: refused, nothing changed.
        const up = makeEvent('thumbs_up')
        await store.insertEvents(p.id, [rowOf(up, T0)])
        expect(
          await store.amendEvents(p.id, [
            amendment(reasons, up),
            amendment({ ...reasons, userId: 'someone-else' }),
          ]),
        ).toEqual([false, false])
        expect(await store.countEvents(p.id)).toBe(2)
        expect((await collect(store.streamEvents(p.id)))[0]!.comment).toBeUndefined()

        // The vote never arrived: the amendment stands for it, and a late vote is a duplicate.
        const lost = makeEvent('thumbs_down')
        expect(await store.amendEvents(p.id, [amendment(reasons, lost)])).toEqual([true])
        expect(await store.insertEvents(p.id, [rowOf(lost, T0)])).toEqual({
          inserted: 0,
          duplicates: 1,
        })
        stored = await collect(store.streamEvents(p.id))
        expect(stored).toHaveLength(3)
        expect(stored.find((e) => e.eventId === lost.eventId)?.comment).toBe('fee is wrong')
      })

      it('keeps hostile text byte for byte: NUL, lone surrogates, emoji, quotes', async () => {
        const p = await newProject()
        const nasty = 'a\u0000b \ud800 \udfff 🦜 "\'\\ \u2028 %s $1 ); DROP TABLE events; --'
        const event = makeEvent('explicit_correction', {
          userId: `u\u0000${nasty.slice(0, 20)}`,
          requestId: 'r\u0000',
          prompt: nasty,
          correctionText: nasty,
          metadata: { k: nasty.slice(0, 100), n: 1.5, b: false },
        })
        expect((await store.insertEvents(p.id, [rowOf(event, T0)])).inserted).toBe(1)
        const [stored] = await collect(store.streamEvents(p.id))
        expect(stored).toEqual(rowOf(event, T0).event)
      })

      it('counts each of 600 overlapping events once when 40 batches race on two handles', async () => {
        const p = await newProject()
        const other = await handle('main')
        const events = Array.from({ length: 600 }, (_, i) =>
          makeEvent('thumbs_down', { eventId: `race-${p.id}-${i}` }),
        )
        const batches = Array.from({ length: 40 }, (_, b) =>
          Array.from({ length: 50 }, (_, i) => events[(b * 37 + i * 13) % events.length]!),
        )
        const results = await Promise.all(
          batches.map((batch, b) =>
            (b % 2 ? other : store).insertEvents(
              p.id,
              batch.map((e) => rowOf(e, T0 + b)),
            ),
          ),
        )
        const covered = new Set(batches.flat().map((e) => e.eventId))
        expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(covered.size)
        expect(results.reduce((n, r) => n + r.inserted + r.duplicates, 0)).toBe(40 * 50)
        expect(await store.countEvents(p.id)).toBe(covered.size)
      })

      it('streams in receivedAt order, pages past 2,000 rows, and honours since/until', async () => {
        const p = await newProject()
        // 4,500 rows over 9 instants, 500 per instant and inserted out of order: page boundaries
        // fall inside runs of equal receivedAt, where only the tiebreaker keeps the cursor exact.
        const rows: EventRow[] = []
        for (let i = 0; i < 4_500; i++)
          rows.push(rowOf(makeEvent('response_shown'), T0 + ((i * 7) % 9) * 1_000))
        for (let i = 0; i < rows.length; i += 500)
          await store.insertEvents(p.id, rows.slice(i, i + 500))
        const all = await collect(store.streamEvents(p.id))
        expect(all).toHaveLength(4_500)
        expect(new Set(ids(all)).size).toBe(4_500)
        const times = all.map((e) => Date.parse(e.receivedAt))
        expect(times.every((t, i) => i === 0 || times[i - 1]! <= t)).toBe(true)
        const window = await collect(
          store.streamEvents(p.id, { since: T0 + 2_000, until: T0 + 5_000 }),
        )
        expect(window).toHaveLength(1_500)
        expect(
          window.every(
            (e) => Date.parse(e.receivedAt) >= T0 + 2_000 && Date.parse(e.receivedAt) < T0 + 5_000,
          ),
        ).toBe(true)
        expect(await collect(store.streamEvents(p.id, { since: T0 + 8_000 }))).toHaveLength(500)
        expect(await collect(store.streamEvents(p.id, { until: T0 }))).toHaveLength(0)
        expect(await collect(store.streamEvents('prj_missing'))).toHaveLength(0)
      })

      it('streams skipped signals without their payload, in the same order as streamEvents', async () => {
        const p = await newProject()
        const signals = ['response_shown', 'thumbs_down', 'thumbs_up', 'csat'] as const
        // 2,600 rows across a page boundary, several per instant.
        const rows = Array.from({ length: 2_600 }, (_, i) =>
          rowOf(makeEvent(signals[i % 4]), T0 + Math.floor(i / 3) * 10),
        )
        await store.insertEvents(p.id, rows)
        const full = await collect(store.streamEvents(p.id))
        const mixed: (StoredEvent | SkippedEvent)[] = []
        for await (const e of store.streamEventsSkipping(p.id, ['response_shown', 'thumbs_up']))
          mixed.push(e)
        expect(mixed).toHaveLength(2_600)
        expect(mixed.map((e) => e.signal)).toEqual(full.map((e) => e.signal))
        for (const [i, e] of mixed.entries()) {
          if (e.signal === 'response_shown' || e.signal === 'thumbs_up') {
            expect(e).toEqual({ signal: e.signal, skipped: true })
          } else {
            expect(e).toEqual(full[i])
          }
        }
        const window: (StoredEvent | SkippedEvent)[] = []
        for await (const e of store.streamEventsSkipping(p.id, [], {
          since: T0 + 1_000,
          until: T0 + 2_000,
        }))
          window.push(e)
        expect(window).toEqual(
          full.filter((e) => {
            const t = Date.parse(e.receivedAt)
            return t >= T0 + 1_000 && t < T0 + 2_000
          }),
        )
      })

      it('lets a reader stop early and leaves the store usable', async () => {
        const p = await newProject()
        const rows = Array.from({ length: 2_100 }, (_, i) => rowOf(makeEvent(), T0 + i))
        await store.insertEvents(p.id, rows)
        let seen = 0
        for await (const _ of store.streamEvents(p.id)) if (++seen === 2_050) break
        expect(seen).toBe(2_050)
        expect(await store.countEvents(p.id)).toBe(2_100)
      })
    })

    describe('curation', () => {
      it('flags, confirms and removes adversaries per project', async () => {
        const [p, q] = [await newProject(), await newProject()]
        await store.upsertAdversary(p.id, { userId: 'u1', status: 'flagged', reason: 'burst' })
        await store.upsertAdversary(p.id, { userId: 'u2', status: 'flagged', reason: 'injection' })
        const before = await store.listAdversaries(p.id)
        await store.upsertAdversary(p.id, { userId: 'u1', status: 'confirmed', reason: 'reviewed' })
        const after = await store.listAdversaries(p.id)
        expect(after.map((a) => [a.userId, a.status, a.reason])).toEqual([
          ['u1', 'confirmed', 'reviewed'],
          ['u2', 'flagged', 'injection'],
        ])
        expect(after[0]!.createdAt).toBe(before[0]!.createdAt)
        expect(await store.listAdversaries(q.id)).toEqual([])
        expect(await store.removeAdversary(p.id, 'u1')).toBe(true)
        expect(await store.removeAdversary(p.id, 'u1')).toBe(false)
        expect(
          ids((await store.listAdversaries(p.id)).map((a) => ({ eventId: a.userId }))),
        ).toEqual(['u2'])
      })

      it('keeps the evidence of a flag through a dismissal, and replaces it only when given', async () => {
        const p = await newProject()
        await store.upsertAdversary(p.id, { userId: 'u1', status: 'flagged', reason: 'x' })
        expect((await store.listAdversaries(p.id))[0]!.evidence).toEqual({})
        await store.upsertAdversary(p.id, {
          userId: 'u1',
          status: 'flagged',
          reason: 'slow',
          evidence: { slow_poisoning: 212, burst: 61 },
        })
        await store.upsertAdversary(p.id, {
          userId: 'u1',
          status: 'dismissed',
          reason: 'a support agent testing corrections',
        })
        expect(await store.listAdversaries(p.id)).toEqual([
          {
            userId: 'u1',
            status: 'dismissed',
            reason: 'a support agent testing corrections',
            evidence: { slow_poisoning: 212, burst: 61 },
            createdAt: expect.any(String),
          },
        ])
        await store.upsertAdversary(p.id, {
          userId: 'u1',
          status: 'flagged',
          reason: 'more',
          evidence: { slow_poisoning: 300 },
        })
        expect((await store.listAdversaries(p.id))[0]).toMatchObject({
          status: 'flagged',
          evidence: { slow_poisoning: 300 },
        })
      })

      it('records version changes in time order, replaces and removes them', async () => {
        const p = await newProject()
        const at = (d: number) => new Date(T0 + d * 86_400_000).toISOString()
        await store.addVersionChange(p.id, { version: 'v2', changedAt: at(2) })
        await store.addVersionChange(p.id, { version: 'v1', changedAt: at(1) })
        await store.addVersionChange(p.id, { version: 'v3', changedAt: at(3) })
        await store.addVersionChange(p.id, { version: 'v1', changedAt: at(4) })
        expect(await store.listVersionChanges(p.id)).toEqual([
          { version: 'v2', changedAt: at(2) },
          { version: 'v3', changedAt: at(3) },
          { version: 'v1', changedAt: at(4) },
        ])
        expect(await store.removeVersionChange(p.id, 'v3')).toBe(true)
        expect(await store.removeVersionChange(p.id, 'v3')).toBe(false)
        expect(await store.listVersionChanges(p.id)).toHaveLength(2)
      })

      it('adds up the drops browsers report, per project and day', async () => {
        const [p, q] = [await newProject(), await newProject()]
        await store.addClientDrops(p.id, '2026-11-26', 3)
        await store.addClientDrops(p.id, '2026-11-25', 1)
        await store.addClientDrops(p.id, '2026-11-26', 4)
        await store.addClientDrops(q.id, '2026-11-26', 9)
        expect(await store.listClientDrops(p.id)).toEqual([
          { day: '2026-11-25', dropped: 1 },
          { day: '2026-11-26', dropped: 7 },
        ])
        expect(await store.listClientDrops(q.id)).toEqual([{ day: '2026-11-26', dropped: 9 }])
      })

      it('keeps gate decisions with their reports, in the order they were made', async () => {
        const [p, q] = [await newProject(), await newProject()]
        const report = { metrics: { win: 0.61, n: 400 }, reasons: ['ok'], nested: [{ a: null }] }
        const first = await store.addGateDecision(p.id, {
          decidedAt: new Date(T0).toISOString(),
          promote: true,
          report,
        })
        const second = await store.addGateDecision(p.id, {
          decidedAt: new Date(T0 + 1).toISOString(),
          promote: false,
          report: { reasons: ['regressed'] },
        })
        expect(second.id).toBeGreaterThan(first.id)
        expect(await store.listGateDecisions(p.id)).toEqual([first, second])
        expect(first.report).toEqual(report)
        expect(await store.listGateDecisions(q.id)).toEqual([])
      })
    })

    describe('rate-limit windows', () => {
      it('adds costs per bucket and window and starts each window at zero', async () => {
        const b = `bucket-${Math.random()}`
        expect(await store.hitRateLimit(b, T0, 1, 60_000)).toBe(1)
        expect(await store.hitRateLimit(b, T0, 5, 60_000)).toBe(6)
        expect(await store.hitRateLimit(`${b}-other`, T0, 1, 60_000)).toBe(1)
        expect(await store.hitRateLimit(b, T0 + 60_000, 1, 60_000)).toBe(1)
        const counts = await Promise.all(
          Array.from({ length: 50 }, () => store.hitRateLimit(b, T0, 1, 60_000)),
        )
        expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => 7 + i))
      })

      it('keeps a long window alive while short windows around it are swept', async () => {
        // A fresh handle sweeps on its first hits; where counters are shared, the long window
        // is opened through another handle first so that the sweep runs after it exists.
        const s = await handle('main')
        const first = traits.sharedRateLimits ? store : s
        const b = `long-${Math.random()}`
        const hour = 3_600_000
        expect(await first.hitRateLimit(b, T0, 1, hour)).toBe(1)
        // 10,001 short windows 30 minutes later: enough to make every engine sweep.
        const later = T0 + hour / 2
        for (let i = 0; i < 10_001; i += 500) {
          await Promise.all(
            Array.from({ length: Math.min(500, 10_001 - i) }, (_, j) =>
              s.hitRateLimit(`short-${b}-${i + j}`, later, 1, 1_000),
            ),
          )
        }
        expect(await s.hitRateLimit(b, T0, 1, hour)).toBe(2)
      })

      it(`${traits.sharedRateLimits ? 'shares' : 'does not share'} counters between handles`, async () => {
        const other = await handle('main')
        const b = `shared-${Math.random()}`
        await store.hitRateLimit(b, T0, 3, 60_000)
        expect(await other.hitRateLimit(b, T0, 1, 60_000)).toBe(traits.sharedRateLimits ? 4 : 1)
      })
    })
  })
}
