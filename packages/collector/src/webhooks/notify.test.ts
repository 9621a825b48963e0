// user_flagged: recording a scan's flags enqueues one delivery per newly flagged user for the
// webhooks subscribed to it, and recording the same flag again enqueues nothing new.
import type { AdversaryFlag } from '@tightloop/pipeline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordFlags } from '../adversary-scan.ts'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'

const T0 = Date.UTC(2026, 11, 5, 12)

describe('user_flagged webhooks', () => {
  let store: Store
  beforeAll(async () => {
    store = createSqliteStore(':memory:')
    await store.migrate()
  })
  afterAll(() => store.close())

  it('enqueues newly flagged users once, only for subscribed webhooks', async () => {
    const hook = {
      projectId: 'p',
      url: 'https://hooks.example.com/x',
      secret: 'whsec_0123456789abcdef',
      format: 'json' as const,
      createdAt: T0,
    }
    await store.createWebhook({ ...hook, id: 'wh-flag', events: ['user_flagged'] })
    await store.createWebhook({ ...hook, id: 'wh-other', events: ['escalation'] })
    const flag = {
      userId: 'u-troll',
      rule: 'burst',
      message: '300 events in a day',
      evidence: { perDay: 300 },
    } as unknown as AdversaryFlag
    await recordFlags(store, 'p', [flag], undefined, T0)
    await recordFlags(store, 'p', [flag], undefined, T0 + 1_000)
    const deliveries = await store.listDeliveries('p', 'wh-flag', 10)
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0]!.payload).toMatchObject({
      type: 'user_flagged',
      projectId: 'p',
      data: { userId: 'u-troll', reason: 'burst: 300 events in a day' },
    })
    expect(await store.listDeliveries('p', 'wh-other', 10)).toEqual([])
  })
})
