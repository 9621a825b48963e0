// The review log's store contract: every engine runs it unchanged against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent } from '../testing.ts'
import { correctionItemId, type ReviewDecisionInput, userItemId } from './review-log.ts'
import type { OpenStore } from './store.contract.ts'
import type { Store } from './types.ts'

const T0 = Date.UTC(2026, 11, 5, 12)

const decision = (fields: Partial<ReviewDecisionInput> = {}): ReviewDecisionInput => ({
  itemId: correctionItemId('ev-1'),
  userId: 'user-a',
  decision: 'approve',
  reviewer: 'Dana',
  decidedAt: T0,
  ...fields,
})

/**
 * Declares the review-log contract for one engine.
 *
 * @example describeReviewLogContract('sqlite', (name) => openSqlite(name))
 */
export function describeReviewLogContract(engine: string, open: OpenStore) {
  describe(`${engine} review log`, () => {
    let store: Store
    beforeAll(async () => {
      store = await open('reviews')
      await store.migrate()
    })
    afterAll(() => store.close())

    it('versions decisions per item, refuses a stale one, keeps the history', async () => {
      const p = await store.createProject({ name: 'reviews' })
      const first = await store.addReviewDecision(p.id, decision(), 0)
      expect(first).toEqual({ stored: { ...decision(), version: 1 } })
      // A second reviewer who also saw the item undecided is too late.
      expect(await store.addReviewDecision(p.id, decision({ decision: 'reject' }), 0)).toEqual({
        stale: 1,
      })
      expect(await store.addReviewDecision(p.id, decision({ decision: 'reject' }), 5)).toEqual({
        stale: 1,
      })
      const edited = decision({
        decision: 'edit',
        text: 'Open Settings › Security › PIN.',
        note: 'fee was wrong',
        decidedAt: T0 + 1_000,
      })
      expect(await store.addReviewDecision(p.id, edited, 1)).toEqual({
        stored: { ...edited, version: 2 },
      })
      const flag = decision({ itemId: userItemId('troll'), userId: 'troll', decision: 'confirm' })
      await store.addReviewDecision(p.id, flag, 0)

      expect(await store.latestReviewDecisions(p.id)).toEqual([
        { ...flag, version: 1 },
        { ...edited, version: 2 },
      ])
      expect(
        (await store.reviewHistory(p.id, correctionItemId('ev-1'))).map((d) => d.decision),
      ).toEqual(['approve', 'edit'])
      const other = await store.createProject({ name: 'other' })
      expect(await store.latestReviewDecisions(other.id)).toEqual([])
    })

    it('finds one stored event by its id', async () => {
      const p = await store.createProject({ name: 'find' })
      const e = makeEvent('explicit_correction', { correctionText: 'Open Settings.' })
      await store.insertEvents(p.id, [
        {
          eventId: e.eventId,
          signal: e.signal,
          requestId: e.requestId,
          userId: e.userId,
          occurredAt: T0,
          receivedAt: T0 + 5,
          productVersion: null,
          event: {
            ...e,
            occurredAt: new Date(T0).toISOString(),
            receivedAt: new Date(T0 + 5).toISOString(),
          },
        },
      ] as never)
      expect(await store.findEvent(p.id, e.eventId)).toMatchObject({
        eventId: e.eventId,
        correctionText: 'Open Settings.',
        receivedAt: new Date(T0 + 5).toISOString(),
      })
      expect(await store.findEvent(p.id, 'nope')).toBeNull()
    })

    it('erasing a user removes the decisions about them, and only those', async () => {
      const p = await store.createProject({ name: 'erase' })
      const e = makeEvent('explicit_correction', { userId: 'gone', correctionText: 'fix' })
      await store.addReviewDecision(
        p.id,
        decision({
          itemId: correctionItemId(e.eventId),
          userId: 'gone',
          decision: 'edit',
          text: 'secret fix',
        }),
        0,
      )
      await store.addReviewDecision(p.id, decision({ userId: 'stays' }), 0)
      await store.eraseUser(p.id, 'gone', T0)
      expect((await store.latestReviewDecisions(p.id)).map((d) => d.userId)).toEqual(['stays'])
    })
  })
}
