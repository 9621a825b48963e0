// Test helper: a real collector on loopback over a real SQLite file in a temp folder.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FeedbackEvent } from '@tightloop/schema'
import { type CollectorOptions, createCollector } from './app.ts'
import { type ProvisionInput, provisionProject } from './provision.ts'
import { type RunningServer, startServer } from './server.ts'
import { createSqliteStore } from './store/sqlite.ts'
import type { ProjectRecord, Store } from './store/types.ts'
import { startWebhookDeliveries, type WebhookDeliveryOptions } from './webhooks/deliver.ts'

export { type EngineScenario, onEachEngine } from './store/engine-scenarios.ts'
export {
  createTestDatabase,
  createTestSchema,
  type TestDatabase,
} from './store/postgres-testing.ts'

/** A running collector with one project, for tests and benchmarks. */
export interface TestCollector extends RunningServer {
  store: Store
  project: ProjectRecord
  publicKey: string
  secretKey: string
  /** The SQLite file, when the store is SQLite. */
  databasePath?: string
}

/** Options of `startTestCollector`. */
export interface TestCollectorOptions extends Omit<CollectorOptions, 'store'> {
  store?: Store
  project?: ProvisionInput
  port?: number
  hostname?: string
  requestTimeoutMs?: number
  /** Runs the webhook delivery worker with these options (stopped by `close()`). */
  webhookDeliveries?: WebhookDeliveryOptions
}

/**
 * Starts a collector on a free loopback port with a fresh SQLite file (or the given store).
 *
 * @example const collector = await startTestCollector(); ...; await collector.close()
 */
export async function startTestCollector(
  options: TestCollectorOptions = {},
): Promise<TestCollector> {
  const {
    store: given,
    project,
    port,
    hostname,
    requestTimeoutMs,
    webhookDeliveries,
    ...collectorOptions
  } = options
  let dir: string | undefined
  let store = given
  if (!store) {
    dir = mkdtempSync(join(tmpdir(), 'tightloop-test-'))
    store = createSqliteStore(join(dir, 'tightloop.db'))
  }
  await store.migrate()
  const provisioned = await provisionProject(store, {
    name: 'test',
    allowedOrigins: ['*'],
    ...project,
  })
  const app = createCollector({ ...collectorOptions, store })
  const server = await startServer({
    fetch: app.fetch,
    port: port ?? 0,
    hostname: hostname ?? '127.0.0.1',
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
  })
  const deliveries = webhookDeliveries && startWebhookDeliveries(store, webhookDeliveries)
  return {
    ...server,
    store,
    project: provisioned.project,
    publicKey: provisioned.publicKey,
    secretKey: provisioned.secretKey!,
    ...(dir && { databasePath: join(dir, 'tightloop.db') }),
    async close() {
      await server.close()
      await deliveries?.stop()
      if (!given) await store.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * An export of the test collector's project with its stats trailer: the NDJSON records and
 * the trailer's `tightloop_export_stats`, parsed.
 *
 * @example const { records, trailer } = await exportWithTrailer(collector, 'format=native')
 */
export async function exportWithTrailer(
  collector: Pick<TestCollector, 'url' | 'secretKey'>,
  query = 'format=native',
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever fields they check
): Promise<{ records: any[]; trailer: any }> {
  const res = await fetch(`${collector.url}/v1/export?${query}&stats=trailer`, {
    headers: { authorization: `Bearer ${collector.secretKey}` },
  })
  const records = (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  return { records, trailer: records.pop().tightloop_export_stats }
}

let sequence = 0

/**
 * A valid event of `signal` with unique ids, for tests; `overrides` replace any field.
 *
 * @example makeEvent('csat', { csat: 2 })
 */
export function makeEvent(
  signal: FeedbackEvent['signal'] = 'thumbs_down',
  overrides: Record<string, unknown> = {},
): FeedbackEvent {
  sequence += 1
  const extras: Partial<Record<FeedbackEvent['signal'], Record<string, unknown>>> = {
    explicit_correction: { correctionText: 'The refund takes 5 to 7 business days to arrive.' },
    agent_escalation: { escalationReason: 'wrong_answer' },
    csat: { csat: 2 },
    session_abandon: { idleMs: 60_000 },
    rephrase: { rephraseOf: 'req-earlier', similarity: 0.8 },
  }
  const extra = extras[signal]
  return {
    eventId: `ev-${process.pid}-${Date.now().toString(36)}-${sequence}`,
    signal,
    requestId: `req-${sequence}`,
    sessionId: 'sess-1',
    userId: 'user-1',
    occurredAt: new Date().toISOString(),
    prompt: 'How long does a refund take?',
    response: 'Refunds take a while.',
    ...extra,
    ...overrides,
  } as FeedbackEvent
}
