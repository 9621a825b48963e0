// The secret-key admin routes: adversary list, product-version changes, the eval gate.
//
// Each operation is also exported as a plain function on the store, so the CLI does the same
// work with the same checks without HTTP. Every check runs before anything is written: bad
// input is a 4xx `CollectorError` and leaves the store as it was.
import type { IncomingMessage } from 'node:http'
import {
  type AdversaryFlag,
  type AdversaryOptions,
  createAdversaryDetector,
  type GateCheck,
  type GateOptions,
  gateModel,
  type ModelMetrics,
  PipelineInputError,
} from '@tightloop/pipeline'
import { MAX_ID_LENGTH } from '@tightloop/schema'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { type RecordedFlags, recordFlags } from '../adversary-scan.ts'
import type { CollectorEnv } from '../app.ts'
import { readBodyText } from '../body.ts'
import { CollectorError } from '../errors.ts'
import { allowQuery } from '../query-params.ts'
import type {
  AdversaryRecord,
  GateDecisionRecord,
  Store,
  TimeRange,
  VersionChangeRecord,
} from '../store/types.ts'
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from '../time-range.ts'
import type { CollectorContext } from './context.ts'

/** Admin bodies are a few fields; anything bigger is a mistake. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024
const MAX_REASON_CHARS = 1_000
const MAX_LABEL_CHARS = 200
const ADVERSARY_STATUSES = ['flagged', 'confirmed', 'dismissed'] as const

export type Json = Record<string, unknown>

export function invalid(message: string): CollectorError {
  return new CollectorError(400, 'invalid_body', message)
}

export function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be a JSON object`)
  }
  return value as Json
}

export function onlyFields(body: Json, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw invalid(`${what} has an unknown field "${key}"; it takes ${allowed.join(', ')}`)
    }
  }
}

export function text(body: Json, field: string, max: number, required: true): string
export function text(body: Json, field: string, max: number, required?: false): string | undefined
export function text(body: Json, field: string, max: number, required = false): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) {
    if (required) throw invalid(`${field} is required`)
    return undefined
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${field} must be a non-empty string`)
  }
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`)
  return value
}

function instant(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (!Number.isFinite(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    throw invalid(`${field} must be an ISO-8601 time or epoch milliseconds between 1970 and 9999`)
  }
  return ms
}

/** Reads a small JSON object body; 400 when it is not one, 413 past the limit. */
export async function readJsonBody(c: Context): Promise<Json> {
  const raw = await readBodyText(
    c.req.raw,
    MAX_ADMIN_BODY_BYTES,
    (c.env as { incoming?: IncomingMessage } | undefined)?.incoming,
  )
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new CollectorError(400, 'invalid_json', 'The body is not valid JSON')
  }
  return asObject(json, 'The body')
}

// ---- adversaries ----------------------------------------------------------------------

/**
 * Adds or updates one adversary entry. A person adding a user confirms it unless `status`
 * says `flagged`; leaving `reason` out keeps the reason already recorded.
 *
 * @example await setAdversary(store, projectId, { userId: 'u-troll', reason: 'spam links' })
 */
export async function setAdversary(
  store: Store,
  projectId: string,
  input: unknown,
): Promise<AdversaryRecord> {
  const body = asObject(input, 'The adversary')
  onlyFields(body, ['userId', 'status', 'reason'], 'The adversary')
  const userId = text(body, 'userId', MAX_ID_LENGTH, true)
  const status = body.status ?? 'confirmed'
  if (!ADVERSARY_STATUSES.includes(status as AdversaryRecord['status'])) {
    throw invalid(
      `status must be "flagged", "confirmed" or "dismissed", not ${JSON.stringify(status)}`,
    )
  }
  const reason =
    status === 'dismissed'
      ? text(body, 'reason', MAX_REASON_CHARS, true) // a dismissal says why
      : text(body, 'reason', MAX_REASON_CHARS)
  const existing = (await store.listAdversaries(projectId)).find((a) => a.userId === userId)
  await store.upsertAdversary(projectId, {
    userId,
    status: status as AdversaryRecord['status'],
    reason: reason ?? existing?.reason ?? 'added by hand',
  })
  return (await store.listAdversaries(projectId)).find((a) => a.userId === userId)!
}

/** What a detection scan found and what it wrote. */
export interface AdversaryScan extends RecordedFlags {
  /** Events read. */
  events: number
  flags: AdversaryFlag[]
}

/**
 * Runs the detection rules over the project's stored events (all, or `range`) and records the
 * flags as the automatic scan does (see `recordFlags`): it never confirms, never downgrades a
 * confirmed user, and flags a dismissed user again only on new evidence.
 *
 * @example const scan = await scanAdversaries(store, projectId, { detector: { allowedHosts: ['example.com'] } })
 */
export async function scanAdversaries(
  store: Store,
  projectId: string,
  options: { range?: TimeRange; detector?: AdversaryOptions } = {},
): Promise<AdversaryScan> {
  const detector = createAdversaryDetector(options.detector)
  let events = 0
  for await (const event of store.streamEvents(projectId, options.range)) {
    detector.add(event)
    events += 1
  }
  const flags = detector.flags()
  return { events, flags, ...(await recordFlags(store, projectId, flags)) }
}

/**
 * Dismisses a flag: the user's events train again, and the evidence the flag rested on is
 * kept so the next scan does not flag them again for it (new evidence does). A reason is
 * required; a confirmed user can be dismissed too (a person changed their mind).
 *
 * @example await dismissAdversary(store, projectId, 'u-42', { reason: 'support agent testing' })
 */
export async function dismissAdversary(
  store: Store,
  projectId: string,
  userId: string,
  input: unknown,
): Promise<AdversaryRecord> {
  const body = asObject(input, 'The dismissal')
  onlyFields(body, ['reason'], 'The dismissal')
  const reason = text(body, 'reason', MAX_REASON_CHARS, true)
  const existing = (await store.listAdversaries(projectId)).find((a) => a.userId === userId)
  if (!existing) {
    throw new CollectorError(404, 'not_found', `No adversary "${userId}" in this project`)
  }
  await store.upsertAdversary(projectId, { userId, status: 'dismissed', reason })
  return { ...existing, status: 'dismissed', reason }
}

function readScanOptions(body: Json): { range?: TimeRange; detector?: AdversaryOptions } {
  onlyFields(body, ['since', 'until', 'allowedHosts'], 'The scan request')
  const since = instant('since', body.since)
  const until = instant('until', body.until)
  if (since !== undefined && until !== undefined && since > until) {
    throw invalid('since must not be after until')
  }
  const hosts = body.allowedHosts
  if (
    hosts !== undefined &&
    !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string' && h.length > 0))
  ) {
    throw invalid('allowedHosts must be an array of host names')
  }
  return {
    range: { ...(since !== undefined && { since }), ...(until !== undefined && { until }) },
    ...(hosts !== undefined && { detector: { allowedHosts: hosts as string[] } }),
  }
}

// ---- product versions -----------------------------------------------------------------

/**
 * Records a product-version change (`changedAt` defaults to `now`). Recording the same
 * version again at the same time is a no-op; at another time it is a 409, so a typo cannot
 * silently move a cutoff (remove the version first).
 *
 * @example await addVersion(store, projectId, { version: '2026.11', changedAt: '2026-11-20T09:00:00Z' }, Date.now())
 */
export async function addVersion(
  store: Store,
  projectId: string,
  input: unknown,
  now: number,
): Promise<{ change: VersionChangeRecord; created: boolean }> {
  const body = asObject(input, 'The version change')
  onlyFields(body, ['version', 'changedAt'], 'The version change')
  const version = text(body, 'version', MAX_ID_LENGTH, true)
  const changedAt = new Date(instant('changedAt', body.changedAt) ?? now).toISOString()
  const existing = (await store.listVersionChanges(projectId)).find((v) => v.version === version)
  if (existing) {
    if (Date.parse(existing.changedAt) === Date.parse(changedAt)) {
      return { change: existing, created: false }
    }
    throw new CollectorError(
      409,
      'conflict',
      `Version "${version}" is already recorded at ${existing.changedAt}; remove it first to move it`,
    )
  }
  const change = { version, changedAt }
  await store.addVersionChange(projectId, change)
  return { change, created: true }
}

// ---- gate -----------------------------------------------------------------------------

/** What the history keeps for one gate decision. */
export interface GateReport {
  label: string | null
  candidate: ModelMetrics
  baseline: ModelMetrics
  thresholds: GateOptions
  checks: GateCheck[]
}

const THRESHOLDS = ['maxAccuracyDrop', 'maxHallucinationIncrease', 'maxLatencyRatio'] as const
const METRICS = ['accuracy', 'hallucinationRate', 'p50LatencyMs'] as const

function metrics(body: Json, field: string): ModelMetrics {
  const value = asObject(body[field] ?? null, field)
  onlyFields(value, METRICS, field)
  return value as unknown as ModelMetrics
}

/**
 * Runs the eval gate on `{candidate, baseline, thresholds?, label?}`, records the decision in
 * the project's history (unless `record` is false) and returns it with every check.
 *
 * @example const decision = await decideGate(store, projectId, { candidate, baseline }, Date.now())
 */
export async function decideGate(
  store: Store,
  projectId: string,
  input: unknown,
  now: number,
  { record = true } = {},
): Promise<GateDecisionRecord & { report: GateReport }> {
  const body = asObject(input, 'The gate request')
  onlyFields(body, ['candidate', 'baseline', 'thresholds', 'label'], 'The gate request')
  const candidate = metrics(body, 'candidate')
  const baseline = metrics(body, 'baseline')
  const thresholds = asObject(body.thresholds ?? {}, 'thresholds') as GateOptions
  onlyFields(thresholds as Json, THRESHOLDS, 'thresholds')
  const label = text(body, 'label', MAX_LABEL_CHARS) ?? null
  let decision: ReturnType<typeof gateModel>
  try {
    decision = gateModel(candidate, baseline, thresholds)
  } catch (err) {
    if (err instanceof PipelineInputError) throw invalid(err.message)
    throw err
  }
  const report: GateReport = { label, candidate, baseline, thresholds, checks: decision.checks }
  const entry = { decidedAt: new Date(now).toISOString(), promote: decision.promote, report }
  if (!record) return { id: 0, ...entry }
  return (await store.addGateDecision(projectId, entry)) as GateDecisionRecord & {
    report: GateReport
  }
}

// ---- routes ---------------------------------------------------------------------------

/**
 * The admin routes, all behind the secret key:
 * - `GET /v1/adversaries[?status=flagged|confirmed]`, `POST /v1/adversaries`
 *   `{userId, status?, reason?}`, `DELETE /v1/adversaries/:userId`,
 *   `POST /v1/adversaries/scan` `{since?, until?, allowedHosts?}`,
 *   `POST /v1/adversaries/:userId/dismiss` `{reason}`
 * - `GET /v1/versions`, `POST /v1/versions` `{version, changedAt?}`, `DELETE /v1/versions/:version`
 * - `POST /v1/gate` `{candidate, baseline, thresholds?, label?}`, `GET /v1/gate` (history)
 *
 * @example app.route('/', adminRoutes(ctx, secret))
 */
export function adminRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const { store } = ctx
  const app = new Hono<CollectorEnv>()
  const projectId = (c: Context<CollectorEnv>) => c.get('caller').project.id

  app.get('/v1/adversaries', secret, allowQuery('status'), async (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !ADVERSARY_STATUSES.includes(status as 'flagged')) {
      throw new CollectorError(
        400,
        'invalid_query',
        'status must be "flagged", "confirmed" or "dismissed"',
      )
    }
    const all = await store.listAdversaries(projectId(c))
    return c.json({ adversaries: status ? all.filter((a) => a.status === status) : all })
  })
  app.post('/v1/adversaries', secret, allowQuery(), async (c) => {
    const adversary = await setAdversary(store, projectId(c), await readJsonBody(c))
    return c.json({ adversary }, 201)
  })
  app.post('/v1/adversaries/scan', secret, allowQuery(), async (c) => {
    const options = readScanOptions(await readJsonBody(c))
    return c.json(await scanAdversaries(store, projectId(c), options))
  })
  app.post('/v1/adversaries/:userId/dismiss', secret, allowQuery(), async (c) => {
    const userId = c.req.param('userId')
    const adversary = await dismissAdversary(store, projectId(c), userId, await readJsonBody(c))
    return c.json({ adversary })
  })
  app.delete('/v1/adversaries/:userId', secret, allowQuery(), async (c) => {
    const userId = c.req.param('userId')
    if (!(await store.removeAdversary(projectId(c), userId))) {
      throw new CollectorError(404, 'not_found', `No adversary "${userId}" in this project`)
    }
    return c.json({ removed: userId })
  })

  app.get('/v1/versions', secret, allowQuery(), async (c) =>
    c.json({ versions: await store.listVersionChanges(projectId(c)) }),
  )
  app.post('/v1/versions', secret, allowQuery(), async (c) => {
    const { change, created } = await addVersion(
      store,
      projectId(c),
      await readJsonBody(c),
      ctx.now(),
    )
    return c.json({ version: change, created }, created ? 201 : 200)
  })
  app.delete('/v1/versions/:version', secret, allowQuery(), async (c) => {
    const version = c.req.param('version')
    if (!(await store.removeVersionChange(projectId(c), version))) {
      throw new CollectorError(404, 'not_found', `No version "${version}" in this project`)
    }
    return c.json({ removed: version })
  })

  app.post('/v1/gate', secret, allowQuery(), async (c) => {
    const decision = await decideGate(store, projectId(c), await readJsonBody(c), ctx.now())
    return c.json(decision, 201)
  })
  app.get('/v1/gate', secret, allowQuery(), async (c) =>
    c.json({ decisions: await store.listGateDecisions(projectId(c)) }),
  )

  return app
}
