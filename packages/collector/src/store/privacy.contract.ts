// Store contract for a person's data and the export lineage: every engine runs it unchanged.
import type { StoredEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent } from '../testing.ts'
import type { OpenStore } from './store.contract.ts'
import { rowOf } from './store.contract.ts'
import type { ExportRunInput, Store } from './types.ts'

const T0 = Date.UTC(2026, 10, 26, 12)
const DAY_MS = 86_400_000

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  for await (const e of iterable) out.push(e)
  return out
}

const run = (users: string[], overrides: Partial<ExportRunInput> = {}): ExportRunInput => ({
  exportedAt: new Date(T0).toISOString(),
  format: 'dpo',
  range: { since: null, until: null },
  rules: { ttlDays: 30 },
  events: 10,
  records: 4,
  complete: true,
  via: 'http',
  userIds: users,
  ...overrides,
})

/**
 * Declares the privacy contract for one engine.
 *
 * @example describePrivacyContract('sqlite', (name) => Promise.resolve(createSqliteStore(join(dir, `${name}.db`))))
 */
export function describePrivacyContract(engine: string, open: OpenStore) {
  describe(`${engine} store: a person's data and export lineage`, () => {
    let store: Store
    beforeAll(async () => {
      store = await open('privacy')
      await store.migrate()
    })
    afterAll(async () => {
      await store.close()
    })

    /** A project with `n` events of each user in `users`, received a minute apart. */
    const seeded = async (users: string[], n = 3) => {
      const p = await store.createProject({ name: 'privacy' })
      const rows = users.flatMap((userId, u) =>
        Array.from({ length: n }, (_, i) =>
          rowOf(
            makeEvent('thumbs_down', { userId, prompt: `${userId} asks ${i}` }),
            T0 + (u * n + i) * 60_000,
          ),
        ),
      )
      await store.insertEvents(p.id, rows)
      return p
    }

    it("streams every event of one user and no one else's", async () => {
      const p = await seeded(['alice', 'bob'])
      const alice = await collect(store.streamUserEvents(p.id, 'alice'))
      expect(alice.map((e) => e.prompt)).toEqual(['alice asks 0', 'alice asks 1', 'alice asks 2'])
      expect(alice.every((e) => typeof e.receivedAt === 'string')).toBe(true)
      expect(await collect(store.streamUserEvents(p.id, 'nobody'))).toEqual([])
    })

    it('records export runs with their users, newest first', async () => {
      const p = await seeded(['alice'])
      const first = await store.recordExport(p.id, run(['alice', 'bob', 'alice']))
      const second = await store.recordExport(
        p.id,
        run([], { format: 'kto', complete: false, via: 'cli' }),
      )
      expect(first).toMatchObject({
        format: 'dpo',
        users: 2,
        events: 10,
        records: 4,
        complete: true,
      })
      expect(first.rules).toEqual({ ttlDays: 30 })
      expect(await store.listExports(p.id)).toEqual([second, first])
      expect(second).toMatchObject({ users: 0, complete: false, via: 'cli' })
    })

    it("erases one user's events, adversary entry and lineage, and names the exports that held them", async () => {
      const p = await seeded(['alice', 'bob'])
      await store.upsertAdversary(p.id, { userId: 'alice', status: 'flagged', reason: 'spam' })
      const held = await store.recordExport(p.id, run(['alice', 'bob']))
      await store.recordExport(p.id, run(['bob']))
      const bobBefore = await collect(store.streamEvents(p.id))
      const markBefore = await store.erasureMark(p.id)

      const result = await store.eraseUser(p.id, 'alice', T0 + DAY_MS)
      expect(result).toMatchObject({
        events: 3,
        adversaryEntries: 1,
        answerLogEntries: 0,
        erasedAt: new Date(T0 + DAY_MS).toISOString(),
        exports: [{ id: held.id, format: 'dpo', via: 'http', exportedAt: held.exportedAt }],
      })
      expect(result.erasureId).toBeGreaterThan(markBefore)
      expect(await store.erasureMark(p.id)).toBe(result.erasureId)
      expect(await collect(store.streamUserEvents(p.id, 'alice'))).toEqual([])
      expect(await store.listAdversaries(p.id)).toEqual([])
      expect(await collect(store.streamEvents(p.id))).toEqual(
        bobBefore.filter((e) => e.userId === 'bob'),
      )
      expect(await store.countEvents(p.id)).toBe(3)
      // The run itself stays listed (a dataset exists); only the user's lineage row went.
      expect((await store.listExports(p.id)).map((r) => r.users)).toEqual([1, 2])

      // Again: nothing left, nothing logged (idempotent), the mark unchanged.
      const again = await store.eraseUser(p.id, 'alice', T0 + 2 * DAY_MS)
      expect(again).toMatchObject({ erasureId: 0, events: 0, adversaryEntries: 0, exports: [] })
      expect(await store.erasureMark(p.id)).toBe(result.erasureId)
    })

    it('erases the answers only that user gave feedback about, and keeps shared ones', async () => {
      const p = await store.createProject({ name: 'privacy-answers' })
      const event = (userId: string, requestId: string, i: number) =>
        rowOf(makeEvent('thumbs_down', { userId, requestId }), T0 + i * 60_000)
      await store.insertEvents(p.id, [
        event('alice', 'req-only-alice', 0),
        event('alice', 'req-shared', 1),
        event('bob', 'req-shared', 2),
      ])
      const answer = (requestId: string) => ({ requestId, prompt: 'Q?', response: 'A.' })
      await store.insertAnswers(
        p.id,
        [answer('req-only-alice'), answer('req-shared'), answer('req-no-feedback')],
        T0,
      )
      const result = await store.eraseUser(p.id, 'alice', T0 + DAY_MS)
      expect(result).toMatchObject({ events: 2, answerLogEntries: 1 })
      const left = await store.findAnswers(p.id, [
        'req-only-alice',
        'req-shared',
        'req-no-feedback',
      ])
      expect([...left.keys()].sort()).toEqual(['req-no-feedback', 'req-shared'])
    })

    it("erases the webhook deliveries that carry the user's words, and keeps others'", async () => {
      const p = await seeded(['erin', 'frank'], 1)
      const hook = {
        id: `wh_privacy_${p.id}`,
        projectId: p.id,
        url: 'https://hooks.example.com/x',
        events: ['escalation' as const, 'user_flagged' as const],
        secret: 'whsec_0123456789abcdef',
        format: 'json' as const,
        createdAt: T0,
      }
      await store.createWebhook(hook)
      const delivery = (id: string, userId: string) => ({
        webhookId: hook.id,
        projectId: p.id,
        id,
        eventType: 'escalation' as const,
        payload: { id, type: 'escalation', data: { userId, prompt: `${userId} wants a person` } },
        createdAt: T0,
      })
      await store.enqueueDeliveries([delivery('ev-erin', 'erin'), delivery('ev-frank', 'frank')])
      const result = await store.eraseUser(p.id, 'erin', T0 + DAY_MS)
      expect(result).toMatchObject({ events: 1, webhookDeliveries: 1 })
      const left = await store.listDeliveries(p.id, hook.id, 10)
      expect(left.map((d) => d.id)).toEqual(['ev-frank'])
    })

    it('erases only within its project', async () => {
      const a = await seeded(['carol'])
      const b = await seeded(['carol'])
      expect((await store.eraseUser(a.id, 'carol', T0)).events).toBe(3)
      expect(await store.countEvents(b.id)).toBe(3)
      expect(await store.erasureMark(b.id)).toBe(0)
    })

    it('deletes events received before a retention bound, in chunks, and logs it', async () => {
      const p = await seeded(['dave'], 5) // received T0 … T0 + 4 min
      const none = await store.deleteEventsBefore(p.id, T0, T0 + DAY_MS)
      expect(none).toMatchObject({ events: 0, erasureId: null })
      const cut = await store.deleteEventsBefore(p.id, T0 + 2 * 60_000, T0 + DAY_MS)
      expect(cut).toMatchObject({ events: 2, before: new Date(T0 + 2 * 60_000).toISOString() })
      expect(await store.erasureMark(p.id)).toBe(cut.erasureId)
      const left = await collect(store.streamEvents(p.id))
      expect(left.map((e) => e.prompt)).toEqual(['dave asks 2', 'dave asks 3', 'dave asks 4'])
    })
  })
}
