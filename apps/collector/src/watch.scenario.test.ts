// Scenario: the `alert` and `review_pending` webhooks, as the server wires them (the stats
// route's aggregates, the adversary scanner), on a real SQLite file with 30 days of seeded
// traffic whose answers shrink (the seed's planted reward hacking), delivered to a real
// node:http receiver by the delivery worker, signed; a second check the same day sends nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  collectorWatchSources,
  createAdversaryScanner,
  createSqliteStore,
  createStatsCache,
  createWebhook,
  provisionProject,
  type Store,
  startWebhookDeliveries,
  verifySignature,
  type WebhookEvent,
  watchProject,
} from '@tightloop/collector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedProject } from './seed.ts'

// A fixed clock at mid-afternoon UTC: the report's latest day is a full one whatever the hour.
const NOW = Date.UTC(2026, 10, 20, 15, 0, 0)

describe('alert and review_pending webhooks', () => {
  let dir: string
  let store: Store
  const received: { url: string; headers: Record<string, unknown>; body: string }[] = []
  let receiverUrl: string
  let closeReceiver: () => Promise<void>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tightloop-watch-'))
    store = createSqliteStore(join(dir, 'watch.db'))
    await store.migrate()
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    closeReceiver = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }, 60_000)

  afterAll(async () => {
    await closeReceiver?.()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('tells subscribed webhooks of the day’s alerts and a long queue, once a day', async () => {
    const { project } = await provisionProject(store, { name: 'watched' })
    await seedProject(store, project.id, { days: 30, answersPerDay: 300, now: NOW })
    const json = await createWebhook(
      store,
      project.id,
      { url: receiverUrl, events: ['alert', 'review_pending'] },
      NOW,
    )
    const slack = await createWebhook(
      store,
      project.id,
      { url: `${receiverUrl}?slack`, events: ['review_pending'], format: 'slack' },
      NOW,
    )
    const sources = collectorWatchSources(store, {
      cache: createStatsCache(store),
      scanner: createAdversaryScanner(store, { now: () => NOW }),
    })
    const pending = await sources.pending(project)
    expect(pending.corrections).toBeGreaterThan(project.reviewPendingThreshold)

    const first = await watchProject(store, project, sources, NOW)
    expect(first.alerts).toBeGreaterThan(0)
    expect(first.reviewPending).toBe(true)
    // An hour later the same alerts and the same queue: the same ids, nothing new to send.
    await watchProject(store, project, sources, NOW + 3_600_000)
    const queued = await store.listDeliveries(project.id, json.id, 100)
    expect(queued).toHaveLength(first.alerts + 1)
    expect(await store.listDeliveries(project.id, slack.id, 100)).toHaveLength(1)

    const worker = startWebhookDeliveries(store, { everyMs: 50, log: () => {} })
    try {
      const end = Date.now() + 10_000
      while (received.length < first.alerts + 2 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 25))
      }
    } finally {
      await worker.stop()
    }
    expect(received).toHaveLength(first.alerts + 2)
    const events = received.filter((r) => r.url === '/hook')
    for (const r of events) {
      expect(verifySignature(json.secret, r.body, String(r.headers['x-tightloop-signature']))).toBe(
        true,
      )
    }
    const bodies = events.map((r) => JSON.parse(r.body) as WebhookEvent)
    const alerts = bodies.filter((b) => b.type === 'alert')
    expect(alerts).toHaveLength(first.alerts)
    for (const alert of alerts) {
      expect(alert.data.day).toBe('2026-11-20')
      expect(alert.data.message).toMatch(/σ|share|rate/)
    }
    const queue = bodies.find((b) => b.type === 'review_pending')!
    // The scan before the report may have flagged users: the queue as it is now.
    const now = await sources.pending(project)
    expect(queue.data).toMatchObject({
      pending: now.corrections + now.users,
      corrections: now.corrections,
      threshold: project.reviewPendingThreshold,
    })
    const slackBody = JSON.parse(received.find((r) => r.url === '/hook?slack')!.body)
    expect(slackBody.text).toMatch(/^tightloop: Reviews are waiting: \d+ items wait for review/)
    expect(slackBody.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } })
  }, 120_000)

  it('reads no report and sends nothing when no webhook listens, or the queue is short', async () => {
    const { project } = await provisionProject(store, {
      name: 'quiet',
      reviewPendingThreshold: 1_000_000,
    })
    await seedProject(store, project.id, { days: 30, answersPerDay: 100, now: NOW })
    let reports = 0
    const real = collectorWatchSources(store, {
      cache: createStatsCache(store),
      scanner: createAdversaryScanner(store, { now: () => NOW }),
    })
    const sources = {
      ...real,
      report: (...args: Parameters<typeof real.report>) => {
        reports += 1
        return real.report(...args)
      },
    }
    expect(await watchProject(store, project, sources, NOW)).toEqual({
      alerts: 0,
      reviewPending: false,
    })
    expect(reports).toBe(0)
    const hook = await createWebhook(
      store,
      project.id,
      { url: receiverUrl, events: ['review_pending'] },
      NOW,
    )
    expect(await watchProject(store, project, sources, NOW)).toEqual({
      alerts: 0,
      reviewPending: false,
    })
    expect(reports).toBe(0)
    expect(await store.listDeliveries(project.id, hook.id, 10)).toHaveLength(0)
  }, 120_000)
})
