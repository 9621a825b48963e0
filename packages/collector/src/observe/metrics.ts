// Prometheus metrics of one collector (prom-client, text exposition format at GET /metrics):
// what was ingested and why not, requests by route and status, latencies, commit groups,
// client-reported drops, and Node's own process metrics.
import type { IngestResult } from '@tightloop/schema'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { type CommitMessage, commitChannel } from './channels.ts'

/** Seconds: a batch answered after its group commit is synced, export streams up to minutes. */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60]
/** Rows a commit carried: one event up to many batches of 100. */
const GROUP_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000]

/** The collector's metrics; `registry` renders them. */
export interface CollectorMetrics {
  registry: Registry
  /** One HTTP request answered (or one streamed body finished) on `route` with `status`. */
  request(method: string, route: string, status: number, seconds: number): void
  /** One ingest answer: what was stored, what was a duplicate, what was refused and why. */
  ingested(result: IngestResult): void
  /** Events a browser reported it had to drop. */
  clientDropped(count: number): void
  /** Stops listening to the stores' commit channel. */
  close(): void
}

/** The field a rejection names first (`occurredAt: …` → `occurredAt`): a bounded label. */
export function rejectionReason(error: string): string {
  const field = /^([A-Za-z][A-Za-z0-9_.]{0,40}):/.exec(error)?.[1]
  return field ?? 'invalid'
}

/**
 * Creates a registry with the collector's metrics and Node's default process metrics.
 *
 * @example const metrics = createMetrics(); createCollector({ store, metrics, metricsToken })
 */
export function createMetrics(): CollectorMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const events = new Counter({
    name: 'tightloop_events_total',
    help: 'Events received at POST /v1/events by outcome (accepted, duplicate, rejected)',
    labelNames: ['outcome'],
    registers,
  })
  const rejected = new Counter({
    name: 'tightloop_events_rejected_total',
    help: 'Events refused at ingest, by the field their error names',
    labelNames: ['reason'],
    registers,
  })
  const requests = new Counter({
    name: 'tightloop_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers,
  })
  const duration = new Histogram({
    name: 'tightloop_http_request_duration_seconds',
    help: 'Time to answer, by route pattern (a streamed body counts until its last byte)',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS_S,
    registers,
  })
  const groupRows = new Histogram({
    name: 'tightloop_commit_group_rows',
    help: 'Event rows per durable commit (group commit: batches arriving together share one)',
    labelNames: ['engine'],
    buckets: GROUP_BUCKETS,
    registers,
  })
  const commitSeconds = new Histogram({
    name: 'tightloop_commit_duration_seconds',
    help: 'Time from starting a group commit until it is durable',
    labelNames: ['engine'],
    buckets: LATENCY_BUCKETS_S,
    registers,
  })
  const drops = new Counter({
    name: 'tightloop_client_dropped_events_total',
    help: 'Events browsers reported they had to give up on (queue full, refused)',
    registers,
  })
  for (const outcome of ['accepted', 'duplicate', 'rejected']) events.inc({ outcome }, 0)

  const onCommit = (message: unknown) => {
    const m = message as CommitMessage
    groupRows.observe({ engine: m.engine }, m.rows)
    commitSeconds.observe({ engine: m.engine }, m.ms / 1000)
  }
  commitChannel.subscribe(onCommit)

  return {
    registry,
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) })
      duration.observe({ method, route }, seconds)
    },
    ingested(result) {
      if (result.accepted) events.inc({ outcome: 'accepted' }, result.accepted)
      if (result.duplicates) events.inc({ outcome: 'duplicate' }, result.duplicates)
      if (result.rejected.length) events.inc({ outcome: 'rejected' }, result.rejected.length)
      for (const r of result.rejected) rejected.inc({ reason: rejectionReason(r.error) })
    },
    clientDropped(count) {
      drops.inc(count)
    },
    close() {
      commitChannel.unsubscribe(onCommit)
    },
  }
}
