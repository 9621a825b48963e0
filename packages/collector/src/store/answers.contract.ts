// The answer log's store contract: every engine runs it unchanged against a real database.
import type { LoggedAnswer } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OpenStore } from './store.contract.ts'
import type { Store } from './types.ts'

const T0 = Date.UTC(2026, 10, 26, 12)

const answer = (requestId: string, fields: Partial<LoggedAnswer> = {}): LoggedAnswer => ({
  requestId,
  prompt: 'How do I reset my PIN?',
  response: 'Open Settings, then Security, then Reset PIN.',
  ...fields,
})

/**
 * Declares the answer-log contract for one engine.
 *
 * @example describeAnswerLogContract('sqlite', (name) => openSqlite(name))
 */
export function describeAnswerLogContract(engine: string, open: OpenStore) {
  describe(`${engine} answer log`, () => {
    const handles: Store[] = []
    let store: Store
    beforeAll(async () => {
      store = await open('answers')
      handles.push(store)
      await store.migrate()
    })
    afterAll(async () => {
      for (const s of handles.reverse()) await s.close()
    })

    it('logs each request id once: the same answer again is a duplicate, a different one a conflict', async () => {
      const p = await store.createProject({ name: 'answers' })
      const messages = [
        { role: 'system' as const, content: 'You are the bank bot.' },
        { role: 'user' as const, content: 'How do I reset my PIN?' },
      ]
      const first = await store.insertAnswers(
        p.id,
        [answer('r1', { messages, modelVersion: 'm-1', latencyMs: 840 }), answer('r2')],
        T0,
      )
      expect(first).toEqual({ inserted: 2, duplicates: 0, conflicts: [] })
      // A retry (metadata may differ), a forged text for r1, and a batch repeating itself.
      const second = await store.insertAnswers(
        p.id,
        [
          answer('r1', { messages, latencyMs: 900 }),
          answer('r2', { response: 'Call us.' }),
          answer('r3'),
          answer('r3'),
          answer('r3', { prompt: 'Another prompt' }),
        ],
        T0 + 1_000,
      )
      expect(second).toEqual({ inserted: 1, duplicates: 2, conflicts: [1, 4] })
      expect(await store.countAnswers(p.id)).toBe(3)

      const found = await store.findAnswers(p.id, ['r1', 'r2', 'r-none'])
      expect([...found.keys()].sort()).toEqual(['r1', 'r2'])
      expect(found.get('r1')).toEqual({
        ...answer('r1', { messages, modelVersion: 'm-1', latencyMs: 840 }),
        loggedAt: new Date(T0).toISOString(),
      })
      expect(found.get('r2')?.response).toBe(answer('r2').response)
      expect(await store.findAnswers(p.id, [])).toEqual(new Map())
    })

    it('keeps answers per project, and hostile text byte for byte', async () => {
      const a = await store.createProject({ name: 'a' })
      const b = await store.createProject({ name: 'b' })
      const hostile = 'NUL \u0000, lone \ud800, emoji 🙂, quotes "\'`, backslash \\'
      await store.insertAnswers(a.id, [answer('same', { response: hostile })], T0)
      await store.insertAnswers(b.id, [answer('same')], T0)
      expect((await store.findAnswers(a.id, ['same'])).get('same')?.response).toBe(hostile)
      expect((await store.findAnswers(b.id, ['same'])).get('same')?.response).toBe(
        answer('same').response,
      )
    })

    it('drops a last assistant turn that repeats the answer from the stored conversation', async () => {
      const p = await store.createProject({ name: 'echo' })
      const user = { role: 'user' as const, content: 'How do I reset my PIN?' }
      const echo = { role: 'assistant' as const, content: `  ${answer('x').response}\n` }
      await store.insertAnswers(p.id, [answer('e1', { messages: [user, echo] })], T0)
      expect((await store.findAnswers(p.id, ['e1'])).get('e1')?.messages).toEqual([user])
    })

    it('finds a few thousand request ids in one call', async () => {
      const p = await store.createProject({ name: 'many' })
      const ids = Array.from({ length: 2_500 }, (_, i) => `m-${i}`)
      for (let i = 0; i < ids.length; i += 100) {
        await store.insertAnswers(
          p.id,
          ids.slice(i, i + 100).map((id) => answer(id)),
          T0,
        )
      }
      const asked = [...ids.filter((_, i) => i % 2 === 0), 'absent']
      expect((await store.findAnswers(p.id, asked)).size).toBe(1_250)
    })
  })
}
