// The delivery worker's retry policy with an injected clock and fetch: backoff with jitter,
// retries on failures, and a delivery given up 24 hours after its event.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'
import { DELIVERY_RETRY_FOR_MS, retryDelayMs, startWebhookDeliveries } from './deliver.ts'

const T0 = Date.UTC(2026, 11, 5, 12)
const HOUR = 3_600_000

describe('webhook delivery worker', () => {
  let dir: string
  let store: Store
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tightloop-deliver-'))
    store = createSqliteStore(join(dir, 'db.sqlite'))
    await store.migrate()
  })
  afterAll(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('backs off exponentially with ±50 % jitter, capped at an hour', () => {
    expect(retryDelayMs(1, () => 0)).toBe(5_000)
    expect(retryDelayMs(1, () => 0.999_999)).toBe(15_000)
    expect(retryDelayMs(3, () => 0.5)).toBe(40_000)
    expect(retryDelayMs(30, () => 0.5)).toBe(HOUR)
  })

  it('retries a failing receiver until 24 hours after the event, then marks it failed', async () => {
    await store.createWebhook({
      id: 'wh-1',
      projectId: 'p',
      url: 'https://hooks.example.com/x',
      events: ['escalation'],
      secret: 'whsec_0123456789abcdef',
      format: 'json',
      createdAt: T0,
    })
    await store.enqueueDeliveries([
      {
        webhookId: 'wh-1',
        projectId: 'p',
        id: 'ev-1',
        eventType: 'escalation',
        payload: { id: 'ev-1' },
        createdAt: T0,
      },
    ])
    let clock = T0
    const statuses = [500, 503]
    const worker = startWebhookDeliveries(store, {
      now: () => clock,
      everyMs: 60_000,
      backoffMs: () => 6 * HOUR,
      log: () => {},
      fetch: async () => {
        const status = statuses.shift()
        if (status === undefined)
          throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } })
        return new Response(null, { status })
      },
    })
    await worker.flush()
    for (let i = 0; i < 5; i += 1) {
      clock += 6 * HOUR
      await worker.flush()
    }
    await worker.stop()
    const [d] = await store.listDeliveries('p', 'wh-1', 10)
    expect(d!.attempts.map((a) => a.error)).toEqual([
      'HTTP 500',
      'HTTP 503',
      'ECONNRESET',
      'ECONNRESET',
      'ECONNRESET', // at 24 h: the next try would be later, so it is the last
    ])
    expect(d!.failedAt).toBe(T0 + 24 * HOUR)
    expect(d!.nextAttemptAt).toBeNull()
    expect(T0 + 24 * HOUR).toBe(T0 + DELIVERY_RETRY_FOR_MS)
  })
})
