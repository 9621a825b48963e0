// Scenario: the review queue decides what trains, on the real collector (SQLite, and
// PostgreSQL when TIGHTLOOP_TEST_POSTGRES is set): approved corrections train as `reviewed`,
// rejected ones drop, edits train with the reviewer's text, a user whose corrections were
// rejected stops training, flags are confirmed or dismissed, stale decisions get 409.
import type { FeedbackEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field in assertions
type Json = Record<string, any>

const PROMPT = 'How do I change my PIN?'
const ANSWER = 'Open Settings, then Security, then PIN.'
const FIXES = [
  'Open Settings, then Security, then Change PIN; the new PIN works after an hour.',
  'You can also change it at any of our cash machines with your current PIN.',
  'Call the card line and an agent sends a PIN letter within five working days.',
  'In the app it is under Cards, not Settings: tap the card, then Manage PIN.',
  'Branches reset a forgotten PIN on the spot if you bring an identity document.',
  'After three wrong tries the card locks for a day, so wait before changing it.',
]
const fix = (n: number) => FIXES[n - 1]!

onEachEngine((engine, openStore, dropStore) =>
  describe(`the review queue on the real collector (${engine})`, () => {
    let c: TestCollector
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${c.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${c.secretKey}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      })
    const json = async (res: Response) => (await res.json()) as Json
    const correction = (id: string, userId: string, n: number) =>
      makeEvent('explicit_correction', {
        eventId: id,
        requestId: `req-${id}`,
        userId,
        prompt: PROMPT,
        response: ANSWER,
        correctionText: fix(n),
      }) as FeedbackEvent
    const exported = async () => {
      const res = await call('GET', '/v1/export?format=native&stats=trailer')
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      const stats = lines.pop().tightloop_export_stats as { dropped: Record<string, number> }
      return { rows: lines as Json[], stats }
    }

    beforeAll(async () => {
      c = await startTestCollector(openStore ? { store: await openStore() } : {})
      await c.store.updateProject(c.project.id, { evalHoldout: false })
      const events = [
        correction('ok', 'alice', 1),
        correction('bad', 'bob', 2),
        correction('edit', 'carol', 3),
        correction('open', 'dave', 4),
        correction('bob2', 'bob', 5),
        correction('bob3', 'bob', 6),
        makeEvent('thumbs_down', {
          userId: 'bob',
          requestId: 'req-bob-down',
          prompt: PROMPT,
          response: ANSWER,
        }),
      ]
      const res = await fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ events }),
      })
      expect((await json(res)).accepted).toBe(events.length)
    })
    afterAll(async () => {
      await c.close()
      if (openStore) await c.store.close()
      await dropStore?.()
    })

    it('lists pending corrections side by side and records each decision', async () => {
      const pending = await json(await call('GET', '/v1/review?kind=corrections&status=pending'))
      expect(pending.total).toBe(6)
      expect(pending.items.find((i: { itemId: string }) => i.itemId === 'c:ok')).toMatchObject({
        itemId: 'c:ok',
        prompt: PROMPT,
        response: ANSWER,
        correction: fix(1),
        version: 0,
      })
      const decide = (item: string, body: Record<string, unknown>) =>
        call('POST', `/v1/review/${item}`, { reviewer: 'Dana', ...body })
      expect((await decide('c:ok', { decision: 'approve' })).status).toBe(200)
      expect((await decide('c:bad', { decision: 'reject', note: 'wrong fee' })).status).toBe(200)
      expect((await decide('c:bob2', { decision: 'reject' })).status).toBe(200)
      const edited = await decide('c:edit', {
        decision: 'edit',
        text: 'Settings › Security › PIN.',
      })
      expect((await json(edited)).decision).toMatchObject({ version: 1, reviewer: 'Dana' })

      const left = await json(await call('GET', '/v1/review?kind=corrections&status=pending'))
      expect(left.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual([
        'c:bob3',
        'c:open',
      ])
      expect(left.total).toBe(2)
      // Beside each item, what the reviews say of its user, as the export weighs it.
      const bob = left.items.find((i: { itemId: string }) => i.itemId === 'c:bob3')
      expect(bob.reliability).toMatchObject({ approved: 0, rejected: 2, unreliable: true })
      expect(bob.reliability.reliability).toBeLessThan(0.8)
      const dave = left.items.find((i: { itemId: string }) => i.itemId === 'c:open')
      expect(dave.reliability).toEqual({
        approved: 0,
        rejected: 0,
        approval: expect.any(Number),
        reliability: 1,
        unreliable: false,
      })
    })

    it('trains what reviewers approved, drops what they rejected and the unreliable user', async () => {
      const { rows, stats } = await exported()
      const byText = (text: string) => rows.find((r) => r.preferred === text)
      expect(byText(fix(1))).toMatchObject({ source: 'reviewed', weight: 1 })
      expect(byText('Settings › Security › PIN.')).toMatchObject({ source: 'reviewed' })
      expect(byText(fix(3))).toBeUndefined()
      expect(byText(fix(2))).toBeUndefined()
      // Bob: two corrections rejected, so his unreviewed ones and his vote stop training.
      expect(rows.some((r) => r.preferred === fix(6))).toBe(false)
      expect(stats.dropped.rejected_by_reviewer).toBe(2)
      expect(stats.dropped.unreliable_user).toBe(2)
      // The dashboard's candidate counts say the same as the export.
      let report = await call('GET', '/v1/stats')
      for (let i = 0; i < 50 && report.status === 202; i++) {
        await new Promise((r) => setTimeout(r, 100))
        report = await call('GET', '/v1/stats')
      }
      const candidates = (await json(report)).candidates
      expect(candidates.rows).toBe(rows.length)
      for (const reason of ['rejected_by_reviewer', 'unreliable_user', 'typo_correction']) {
        expect(candidates.dropped[reason], reason).toBe(stats.dropped[reason])
      }
      // Dave: never reviewed, so as trusted as the project's average user.
      expect(byText(fix(4))).toMatchObject({
        source: 'explicit_correction',
        reliability: 1,
        weight: 0.9,
      })
    })

    it('changes a decision with its version, refuses a stale one, keeps the history', async () => {
      const stale = await call('POST', '/v1/review/c:ok', { decision: 'reject', reviewer: 'Eve' })
      expect(stale.status).toBe(409)
      expect((await json(stale)).error.code).toBe('conflict')
      const changed = await call('POST', '/v1/review/c:ok', {
        decision: 'reject',
        reviewer: 'Eve',
        version: 1,
      })
      expect(changed.status).toBe(200)
      const history = await json(await call('GET', '/v1/review/c:ok'))
      expect(history.decisions.map((d: { decision: string }) => d.decision)).toEqual([
        'approve',
        'reject',
      ])
      expect((await exported()).rows.some((r) => r.preferred === fix(1))).toBe(false)
    })

    it('trains only reviewed corrections when the project says so', async () => {
      await c.store.updateProject(c.project.id, { reviewedOnly: true })
      try {
        const { rows, stats } = await exported()
        expect(rows.some((r) => r.preferred === fix(4))).toBe(false)
        expect(stats.dropped.not_reviewed).toBeGreaterThanOrEqual(1)
      } finally {
        await c.store.updateProject(c.project.id, { reviewedOnly: false })
      }
    })

    it('confirms or dismisses a flagged user from the queue', async () => {
      await call('POST', '/v1/adversaries', {
        userId: 'mallory',
        status: 'flagged',
        reason: 'burst',
      })
      const users = await json(await call('GET', '/v1/review?kind=users&status=pending'))
      expect(users.items).toContainEqual(
        expect.objectContaining({ itemId: 'u:mallory', status: 'flagged', version: 0 }),
      )
      const res = await call('POST', '/v1/review/u:mallory', {
        decision: 'confirm',
        reviewer: 'Dana',
      })
      expect(res.status).toBe(200)
      const list = await json(await call('GET', '/v1/adversaries'))
      expect(list.adversaries).toContainEqual(
        expect.objectContaining({ userId: 'mallory', status: 'confirmed' }),
      )
    })

    it('answers bad input with the JSON error and stores nothing', async () => {
      const before = await json(await call('GET', '/v1/review?kind=corrections&status=decided'))
      const cases: [string, unknown, number][] = [
        ['c:nope', { decision: 'approve', reviewer: 'x' }, 404],
        ['x:ok', { decision: 'approve', reviewer: 'x' }, 404],
        ['c:open', { decision: 'confirm', reviewer: 'x' }, 400],
        ['c:open', { decision: 'edit', reviewer: 'x' }, 400],
        ['c:open', { decision: 'approve' }, 400],
        ['c:open', { decision: 'approve', reviewer: 'x', extra: 1 }, 400],
        ['c:open', { decision: 'approve', reviewer: 'x', version: -1 }, 400],
      ]
      for (const [item, body, status] of cases) {
        const res = await call('POST', `/v1/review/${item}`, body)
        expect(res.status, JSON.stringify(body)).toBe(status)
        expect(typeof (await json(res)).error.code).toBe('string')
      }
      expect((await call('GET', '/v1/review?kind=everything')).status).toBe(400)
      const after = await json(await call('GET', '/v1/review?kind=corrections&status=decided'))
      expect(after.total).toBe(before.total)
    })
  }),
)
