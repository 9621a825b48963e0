// Scenario: a person's events are exported, then erased through the real collector: gone from
// every read, export format and statistic, and (SQLite) from the database file's bytes, while
// other users' data stays byte for byte. Runs on SQLite always, on PostgreSQL when configured.
import { readFileSync } from 'node:fs'
import type { FeedbackEvent } from '@tightloop/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErasureResult, Store } from '../store/types.ts'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'

const NOW = Date.parse('2026-11-20T12:00:00.000Z')
/** Text only Alice's events hold: searched for in every answer and in the file's bytes. */
const MARKER = 'alice-private-7f3a9c-marker'
const FORMATS = ['native', 'dpo', 'kto', 'openai'] as const

function scenario(
  engine: string,
  openStore?: () => Promise<Store>,
  dropStore?: () => Promise<void>,
) {
  describe(`erasing a user (${engine})`, () => {
    let collector: TestCollector
    let clock = NOW
    const secret = () => ({ authorization: `Bearer ${collector.secretKey}` })
    const get = (path: string) => fetch(`${collector.url}${path}`, { headers: secret() })
    const text = async (path: string) => {
      const res = await get(path)
      expect(res.status).toBe(200)
      return res.text()
    }
    const feedbackCount = async () => {
      const res = await get('/v1/stats')
      expect(res.status).toBe(200)
      return ((await res.json()) as { totals: { feedback: number } }).totals.feedback
    }

    let n = 0
    const event = (userId: string, signal: FeedbackEvent['signal'], fields = {}) => {
      n += 1
      return makeEvent(signal, {
        eventId: `usr-${n}`,
        requestId: `req-usr-${n}`,
        userId,
        occurredAt: new Date(clock).toISOString(),
        prompt:
          userId === 'alice'
            ? `My account ${MARKER} is locked (#${n})`
            : `Where is my parcel (#${n})?`,
        response: 'Please wait a few days.',
        ...fields,
      })
    }

    beforeAll(async () => {
      const store = openStore ? await openStore() : undefined
      collector = await startTestCollector({ now: () => clock, ...(store && { store }) })
      const events = [
        event('alice', 'explicit_correction', { correctionText: `Unlock ${MARKER} by phone.` }),
        event('alice', 'thumbs_down'),
        event('alice', 'agent_escalation'),
        event('bob', 'explicit_correction', { correctionText: 'It ships in two days.' }),
        event('bob', 'thumbs_down'),
        event('carol', 'thumbs_up'),
      ]
      const res = await fetch(`${collector.url}/v1/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${collector.publicKey}`,
        },
        body: JSON.stringify({ events }),
      })
      expect(res.status).toBe(200)
      clock = NOW + 5 * 60_000 // past the stats cache's settle window: the events are cached
    })
    afterAll(async () => {
      const store = collector.store
      await collector.close()
      if (openStore) await store.close()
      await dropStore?.()
    })

    it('shows the user their own events', async () => {
      const lines = (await text('/v1/users/alice/events')).trim().split('\n')
      expect(lines).toHaveLength(3)
      expect(lines.every((l) => JSON.parse(l).userId === 'alice')).toBe(true)
    })

    it('erases them from every read, export and statistic, names the export, keeps the others', async () => {
      const others = async () =>
        (await text('/v1/events'))
          .split('\n')
          .filter((l) => l && JSON.parse(l).userId !== 'alice')
          .join('\n')
      const othersBefore = await others()
      const exported = await text('/v1/export?format=native')
      expect(exported).toContain(MARKER)
      const [lineage] = (
        (await (await get('/v1/exports')).json()) as { exports: { id: number; users: number }[] }
      ).exports
      expect(lineage).toMatchObject({ users: 2 })
      const feedbackBefore = await feedbackCount()

      const res = await fetch(`${collector.url}/v1/users/alice`, {
        method: 'DELETE',
        headers: secret(),
      })
      expect(res.status).toBe(200)
      const removed = (await res.json()) as ErasureResult
      expect(removed).toMatchObject({
        events: 3,
        exports: [{ id: lineage!.id, format: 'native', via: 'http' }],
      })
      expect(removed.storageCleared).toBe(engine === 'sqlite')

      expect(await text('/v1/events')).not.toContain(MARKER)
      expect(await others()).toBe(othersBefore)
      expect(await text('/v1/users/alice/events')).toBe('')
      for (const format of FORMATS) {
        expect(await text(`/v1/export?format=${format}&stats=trailer`)).not.toContain(MARKER)
      }
      // Alice gave three feedback events; the cached aggregates must not keep counting them.
      expect(await feedbackCount()).toBe(feedbackBefore - 3)

      if (collector.databasePath) {
        for (const file of [collector.databasePath, `${collector.databasePath}-wal`]) {
          let bytes: Buffer
          try {
            bytes = readFileSync(file)
          } catch {
            continue // no WAL file at all: nothing in it
          }
          expect(bytes.includes(Buffer.from(MARKER)), file).toBe(false)
          expect(bytes.includes(Buffer.from('"userId":"alice"')), file).toBe(false)
        }
      }
    })

    it('answers an unknown user with zero counts (idempotent), and refuses bad calls with JSON', async () => {
      const again = await fetch(`${collector.url}/v1/users/alice`, {
        method: 'DELETE',
        headers: secret(),
      })
      expect(again.status).toBe(200)
      expect(await again.json()).toMatchObject({ events: 0, adversaryEntries: 0, exports: [] })

      const asPublic = await fetch(`${collector.url}/v1/users/bob`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${collector.publicKey}` },
      })
      expect(asPublic.status).toBe(403)
      expect(await asPublic.json()).toMatchObject({ error: { code: 'forbidden' } })
      const anonymous = await fetch(`${collector.url}/v1/users/bob/events`)
      expect(anonymous.status).toBe(401)
      expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } })
      const long = await fetch(`${collector.url}/v1/users/${'x'.repeat(129)}`, {
        method: 'DELETE',
        headers: secret(),
      })
      expect(long.status).toBe(400)
      expect(await long.json()).toMatchObject({ error: { code: 'invalid_query' } })
      const query = await get('/v1/users/bob/events?since=1')
      expect(query.status).toBe(400)
      expect((await text('/v1/users/bob/events')).trim().split('\n')).toHaveLength(2)
    })
  })
}

onEachEngine(scenario)
