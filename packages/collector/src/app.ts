// createCollector: the Hono app that ingests feedback and serves a project's data back to it.
import { type Context, Hono } from 'hono'
import { type AdversaryScanner, createAdversaryScanner } from './adversary-scan.ts'
import {
  authenticateRequest,
  type Caller,
  originAllowed,
  refuseSecretKeyInQuery,
  requireSecret,
} from './auth.ts'
import { CollectorError, errorBody, handleError } from './errors.ts'
import { createLimiter, type LimitOptions } from './limits.ts'
import { NDJSON_HEADERS, ndjsonStream } from './ndjson.ts'
import type { Logger } from './observe/log.ts'
import type { CollectorMetrics } from './observe/metrics.ts'
import { serveMetrics } from './observe/metrics-route.ts'
import { observeRequests } from './observe/middleware.ts'
import { allowQuery } from './query-params.ts'
import { adminRoutes } from './routes/admin.ts'
import { logAnswers } from './routes/answers.ts'
import { publicConfig } from './routes/config.ts'
import type { CollectorContext } from './routes/context.ts'
import { evalSliceRoutes } from './routes/eval-slice.ts'
import { exportRoutes } from './routes/export.ts'
import { ingest } from './routes/ingest.ts'
import { reviewRoutes } from './routes/review.ts'
import type { StatsCache } from './routes/stats-aggregates.ts'
import { createStatsHandler } from './routes/stats-handler.ts'
import { logTraces } from './routes/traces.ts'
import { userRoutes } from './routes/users.ts'
import type { ProjectRecord, Store } from './store/types.ts'
import { readTimeRange } from './time-range.ts'
import { createWebhookNotifier } from './webhooks/notify.ts'
import { webhookRoutes } from './webhooks/routes.ts'

/** Options of `createCollector`. */
export interface CollectorOptions {
  store: Store
  /** Clock in ms since the epoch; injectable for tests. */
  now?: () => number
  /** Abuse limits; none by default. */
  limits?: LimitOptions
  /** Where unexpected errors go; defaults to `console.error`. */
  log?: (message: string, err: unknown) => void
  /** Called when a browser reports events it had to drop (they are also counted per day in the store and in `/v1/stats`). */
  onClientDropped?: (projectId: string, dropped: number) => void
  /** Build every project's drift aggregates in the background at start (the server does). */
  warmStats?: boolean
  /** Prometheus metrics (`createMetrics()`); served at `GET /metrics` when `metricsToken` is set. */
  metrics?: CollectorMetrics
  /** Bearer token `GET /metrics` requires; without it the route does not exist. */
  metricsToken?: string
  /** Request and event log (`createLogger(mode)`); none by default. */
  logger?: Logger
  /** The incremental adversary scanner; share it with `scheduleAdversaryScans`. */
  scanner?: AdversaryScanner
  /** The stats route's aggregates (`createStatsCache(store)`); share it with `scheduleWatch`. */
  statsCache?: StatsCache
}

/** Hono variables the collector's routes share. */
export type CollectorEnv = { Variables: { caller: Caller } }

const PREFLIGHT_MAX_AGE_S = 600 // browsers may cache a preflight for 10 minutes

/**
 * Creates the collector as a Hono app; mount it or serve it with `@hono/node-server`.
 *
 * @example
 * const store = createSqliteStore('./data/tightloop.db')
 * await store.migrate()
 * serve({ fetch: createCollector({ store }).fetch, port: 8787 })
 */
export function createCollector(options: CollectorOptions): Hono<CollectorEnv> {
  const { store } = options
  const log = options.log ?? ((message, err) => console.error(message, err))
  const now = options.now ?? Date.now
  const ctx: CollectorContext = {
    store,
    now,
    limits: createLimiter(store, options.limits),
    checkOrigin: (c, project) => {
      const origin = c.req.header('origin')
      if (origin === undefined) return
      c.header('Access-Control-Allow-Origin', project.allowedOrigins.includes('*') ? '*' : origin)
      // A browser hides Retry-After from the client unless it is exposed.
      c.header('Access-Control-Expose-Headers', 'Retry-After')
      c.header('Vary', 'Origin')
      // The refusal too carries the CORS headers: the page can read why (nothing is stored).
      if (!originAllowed(project, origin)) throw refusedOrigin(origin)
    },
    onClientDropped: (projectId, dropped) => {
      options.metrics?.clientDropped(dropped)
      options.onClientDropped?.(projectId, dropped)
    },
    metrics: options.metrics,
    scanner: options.scanner ?? createAdversaryScanner(store, { now }),
    webhooks: createWebhookNotifier(store, { now }),
    log,
  }

  const app = new Hono<CollectorEnv>()
  app.onError((err, c) => handleError(err, c, log))
  app.notFound((c) => c.json(errorBody('not_found', `No route ${c.req.method} ${c.req.path}`), 404))
  if (options.metrics || options.logger) app.use('*', observeRequests(options))
  if (options.metrics && options.metricsToken !== undefined) {
    app.get('/metrics', serveMetrics(options.metrics, options.metricsToken))
  }
  app.use('*', refuseSecretKeyInQuery)

  app.get('/healthz', allowQuery(), async (c) => {
    await store.countEvents('__healthz__')
    return c.json({ ok: true, engine: store.engine })
  })

  app.options('/v1/events', allowQuery('key'), async (c) => preflight(c, ctx))
  app.post('/v1/events', allowQuery('key'), (c) => ingest(c, ctx))
  // The one public read: the escalation reasons a widget offers (see routes/config.ts).
  app.get('/v1/config', allowQuery('key'), (c) => publicConfig(c, ctx))

  /** Routes below need the project secret key; a public key reads nothing. */
  const secret = async (c: Context<CollectorEnv>, next: () => Promise<void>) => {
    const caller = await authenticateRequest(c, ctx, now(), false)
    requireSecret(caller)
    c.set('caller', caller)
    await next()
  }

  app.get('/v1/events', secret, allowQuery('since', 'until'), (c) => {
    const range = readTimeRange(c)
    const { project } = c.get('caller')
    return new Response(ndjsonStream(store.streamEvents(project.id, range)), {
      headers: NDJSON_HEADERS,
    })
  })

  app.post('/v1/answers', secret, allowQuery(), (c) => logAnswers(c, ctx))
  app.post('/v1/traces', secret, allowQuery(), (c) => logTraces(c, ctx))
  app.get('/v1/project', secret, allowQuery(), (c) => c.json(publicView(c.get('caller').project)))
  app.get(
    '/v1/stats',
    secret,
    allowQuery('since', 'until'),
    createStatsHandler(ctx, {
      warm: options.warmStats ?? false,
      ...(options.statsCache && { cache: options.statsCache }),
    }),
  )
  for (const routes of [
    exportRoutes,
    adminRoutes,
    evalSliceRoutes,
    userRoutes,
    reviewRoutes,
    webhookRoutes,
  ])
    app.route('/', routes(ctx, secret))
  // Registered last: any other method or path under /v1/ gets the JSON error, never a text 404.
  app.all('/v1/*', (c) => unknownRoute(c, app))

  return app
}

/** 405 with `Allow` when the path exists for other methods, else 404; both as JSON. */
function unknownRoute(c: Context, app: Hono<CollectorEnv>): Response {
  const methods = new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && routeMatches(r.path, c.req.path))
      .map((r) => r.method),
  )
  if (methods.size === 0) throw new CollectorError(404, 'not_found', `No route ${c.req.path}`)
  throw new CollectorError(
    405,
    'method_not_allowed',
    `${c.req.method} is not allowed on ${c.req.path}; use ${[...methods].join(', ')}`,
    { headers: { Allow: [...methods].join(', ') } },
  )
}

/** True when a route pattern such as `/v1/versions/:version` matches `path`. */
function routeMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/')
  const have = path.split('/')
  return want.length === have.length && want.every((p, i) => p.startsWith(':') || p === have[i])
}

/** The settings of a project that may be shown to anyone holding its keys. */
export function publicView(project: ProjectRecord) {
  return {
    id: project.id,
    name: project.name,
    allowedOrigins: project.allowedOrigins,
    escalationReasons: project.escalationReasons,
    ttlDays: project.ttlDays,
    scrubPii: project.scrubPii,
    autoBanAdversaries: project.autoBanAdversaries,
    adversaryPolicy: project.adversaryPolicy,
    evalHoldout: project.evalHoldout,
    requireAnswerLog: project.requireAnswerLog,
    eventWindowDays: project.eventWindowDays,
    retentionDays: project.retentionDays,
    sessionIdleMinutes: project.sessionIdleMinutes,
    rephraseThreshold: project.rephraseThreshold,
    deriveImplicitSignals: project.deriveImplicitSignals,
    reviewedOnly: project.reviewedOnly,
    minReliability: project.minReliability,
    reviewPendingThreshold: project.reviewPendingThreshold,
  }
}

// A browser asks before a cross-origin JSON POST. With `?key=` the origin is checked against
// that project; an origin that is not allowed gets 403 and is never echoed.
/** The 403 of an origin the project does not list: names it and the fix. */
function refusedOrigin(origin: string) {
  return new CollectorError(
    403,
    'origin_not_allowed',
    `The origin ${origin} may not send events for this project: add it with "tightloop project set --origins" or TIGHTLOOP_ALLOWED_ORIGINS`,
  )
}

async function preflight(c: Context, ctx: CollectorContext) {
  const origin = c.req.header('origin')
  if (!origin) return c.body(null, 204)
  const caller = await authenticateRequest(c, ctx, ctx.now(), true)
  // A refused origin gets its preflight too: a failed preflight is only a network error to the
  // page, while the request it lets through is refused with a 403 the page can read.
  c.header(
    'Access-Control-Allow-Origin',
    caller.project.allowedOrigins.includes('*') ? '*' : origin,
  )
  c.header('Access-Control-Allow-Methods', 'POST, OPTIONS')
  c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization')
  c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S))
  c.header('Vary', 'Origin')
  return c.body(null, 204)
}
