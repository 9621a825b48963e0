// The webhook store contract: webhooks and their outbox behave the same on every engine.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onEachEngine } from './engine-scenarios.ts'
import { createSqliteStore } from './sqlite.ts'
import type { Store, WebhookRecord } from './types.ts'

const T0 = Date.UTC(2026, 11, 5, 12)

onEachEngine((engine, openStore, dropStore) => {
  describe(`${engine} webhooks`, () => {
    let store: Store
    let dir: string | undefined
    beforeAll(async () => {
      if (openStore) store = await openStore()
      else {
        dir = mkdtempSync(join(tmpdir(), 'tightloop-webhooks-'))
        store = createSqliteStore(join(dir, 'db.sqlite'))
      }
      await store.migrate()
    })
    afterAll(async () => {
      await store.close()
      await dropStore?.()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    const hook = (id: string, projectId: string): WebhookRecord => ({
      id,
      projectId,
      url: 'https://hooks.example.com/in',
      events: ['escalation', 'low_csat'],
      secret: 'whsec_test',
      format: 'json',
      createdAt: T0,
    })

    it('creates, lists per project and deletes webhooks', async () => {
      await store.createWebhook(hook('wh-a', 'p1'))
      await store.createWebhook({ ...hook('wh-b', 'p2'), format: 'slack' })
      expect(await store.listWebhooks('p1')).toEqual([hook('wh-a', 'p1')])
      expect(await store.deleteWebhook('p1', 'wh-b')).toBe(false)
      expect(await store.deleteWebhook('p2', 'wh-b')).toBe(true)
      expect(await store.listWebhooks('p2')).toEqual([])
    })

    it('keeps one delivery per webhook and event id, claims due ones once, records attempts', async () => {
      await store.createWebhook(hook('wh-c', 'p3'))
      const row = {
        webhookId: 'wh-c',
        projectId: 'p3',
        id: 'ev-1',
        eventType: 'escalation' as const,
        payload: { reason: 'wrong_answer', text: 'nul \u0000 ok' },
        createdAt: T0,
      }
      await store.enqueueDeliveries([row])
      await store.enqueueDeliveries([{ ...row, payload: { other: true } }])
      expect(await store.claimDueDeliveries(T0 - 1, 10, 60_000)).toEqual([])
      const [due, ...more] = await store.claimDueDeliveries(T0, 10, 60_000)
      expect(more).toEqual([])
      expect(due).toMatchObject({ id: 'ev-1', payload: row.payload, attempts: [] })
      expect(due!.webhook).toEqual(hook('wh-c', 'p3'))
      // Leased: not due again until the lease ends.
      expect(await store.claimDueDeliveries(T0 + 1_000, 10, 60_000)).toEqual([])

      await store.recordAttempt(
        'wh-c',
        'ev-1',
        { at: T0, status: 503, error: null },
        {
          retryAt: T0 + 5_000,
        },
      )
      const [again] = await store.claimDueDeliveries(T0 + 5_000, 10, 60_000)
      expect(again!.attempts).toEqual([{ at: T0, status: 503, error: null }])
      await store.recordAttempt(
        'wh-c',
        'ev-1',
        { at: T0 + 5_000, status: 200, error: null },
        {
          delivered: true,
        },
      )
      expect(await store.claimDueDeliveries(T0 + 10 ** 9, 10, 60_000)).toEqual([])
      const [listed] = await store.listDeliveries('p3', 'wh-c', 50)
      expect(listed).toMatchObject({
        id: 'ev-1',
        eventType: 'escalation',
        deliveredAt: T0 + 5_000,
        failedAt: null,
        nextAttemptAt: null,
      })
      expect(listed!.attempts).toHaveLength(2)
      expect(await store.listDeliveries('other', 'wh-c', 50)).toEqual([])
    })

    it('marks a delivery failed, and drops the outbox of a deleted webhook', async () => {
      await store.createWebhook(hook('wh-d', 'p4'))
      await store.enqueueDeliveries([
        {
          webhookId: 'wh-d',
          projectId: 'p4',
          id: 'ev-2',
          eventType: 'low_csat',
          payload: {},
          createdAt: T0,
        },
      ])
      await store.claimDueDeliveries(T0, 10, 1)
      await store.recordAttempt(
        'wh-d',
        'ev-2',
        { at: T0 + 1, status: null, error: 'ECONNREFUSED' },
        {
          failed: true,
        },
      )
      const [failed] = await store.listDeliveries('p4', 'wh-d', 50)
      expect(failed).toMatchObject({ failedAt: T0 + 1, nextAttemptAt: null })
      expect(await store.deleteWebhook('p4', 'wh-d')).toBe(true)
      expect(await store.listDeliveries('p4', 'wh-d', 50)).toEqual([])
    })
  })
})
