// The review queue (issue 19): corrections waiting for a person, and users the adversary rules
// flagged. A person approves, rejects or edits a correction, confirms or dismisses a flag;
// each decision is stored with its reviewer, time and note, versioned per item.
//
// - `GET /v1/review?kind=corrections|users&status=pending|decided&limit=n`
// - `POST /v1/review/:itemId {decision, text?, reviewer, note?, version?}`
// - `GET /v1/review/:itemId` → the item's decisions, oldest first
import { MAX_RESPONSE_BYTES, SIGNALS, type StoredEvent } from '@tightloop/schema'
import { Hono, type MiddlewareHandler } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { CollectorError } from '../errors.ts'
import { allowQuery } from '../query-params.ts'
import {
  correctionItemId,
  type ReviewDecision,
  type ReviewDecisionKind,
  userItemId,
} from '../store/review-log.ts'
import type { ProjectRecord, Store } from '../store/types.ts'
import { invalid, onlyFields, readJsonBody, text } from './admin.ts'
import type { CollectorContext } from './context.ts'
import { reviewOutcomes, type UserReliabilityView } from './export-reviews.ts'

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 1_000
const MAX_REVIEWER_CHARS = 200
const MAX_NOTE_CHARS = 2_000
const NOT_CORRECTIONS = SIGNALS.filter((s) => s !== 'explicit_correction')
const CORRECTION_DECISIONS: readonly ReviewDecisionKind[] = ['approve', 'reject', 'edit']
const USER_DECISIONS: readonly ReviewDecisionKind[] = ['confirm', 'dismiss']

/** One correction in the queue: the prompt, the bot's answer and the user's fix side by side. */
export interface CorrectionItem {
  itemId: string
  kind: 'correction'
  eventId: string
  userId: string
  requestId: string
  prompt: string | null
  /** The logged answer when the backend logged one, else what the browser said. */
  response: string | null
  correction: string
  occurredAt: string
  /** 0 while undecided; the version a decision must name to change the latest one. */
  version: number
  decision?: ReviewDecision
  /** What the reviews of this user's corrections say of them (the export weighs by it). */
  reliability: UserReliabilityView
}

/** One flagged (or decided) user with the evidence the rules found. */
export interface UserItem {
  itemId: string
  kind: 'user'
  userId: string
  status: string
  reason: string
  evidence: Record<string, number>
  version: number
  decision?: ReviewDecision
  reliability: UserReliabilityView
}

/** Which items a listing shows. */
export interface ReviewQuery {
  kind: 'corrections' | 'users'
  status: 'pending' | 'decided'
  limit: number
}
type Query = ReviewQuery

/**
 * Reads a listing's parameters (query string or CLI flags); 400 `invalid_query` when wrong.
 *
 * @example readReviewQuery({ kind: 'users' }) // { kind: 'users', status: 'pending', limit: 50 }
 */
export function readReviewQuery(given: {
  kind?: string | undefined
  status?: string | undefined
  limit?: string | undefined
}): ReviewQuery {
  const kind = given.kind ?? 'corrections'
  const status = given.status ?? 'pending'
  const limitText = given.limit ?? String(DEFAULT_LIMIT)
  if (kind !== 'corrections' && kind !== 'users') {
    throw new CollectorError(400, 'invalid_query', 'kind must be "corrections" or "users"')
  }
  if (status !== 'pending' && status !== 'decided') {
    throw new CollectorError(400, 'invalid_query', 'status must be "pending" or "decided"')
  }
  const limit = Number(limitText)
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) {
    throw new CollectorError(
      400,
      'invalid_query',
      `limit must be a whole number from 1 to ${MAX_LIMIT}`,
    )
  }
  return { kind, status, limit }
}

/** The latest decision of each item, and each user's reliability from them. */
interface Reviewed {
  decided: Map<string, ReviewDecision>
  reliability: (userId: string) => UserReliabilityView
}

/** Corrections in stored order: the first `limit` with the asked status, and how many in all. */
async function listCorrections(store: Store, projectId: string, q: Query, r: Reviewed) {
  const { decided } = r
  const picked: StoredEvent[] = []
  let total = 0
  for await (const event of store.streamEventsSkipping(projectId, NOT_CORRECTIONS)) {
    if ('skipped' in event || event.signal !== 'explicit_correction') continue
    const isDecided = decided.has(correctionItemId(event.eventId))
    if (isDecided !== (q.status === 'decided')) continue
    total += 1
    if (picked.length < q.limit) picked.push(event)
  }
  const answers = await store.findAnswers(projectId, [...new Set(picked.map((e) => e.requestId))])
  const items: CorrectionItem[] = picked.map((event) => {
    const e = event as StoredEvent & { correctionText: string }
    const decision = decided.get(correctionItemId(e.eventId))
    return {
      itemId: correctionItemId(e.eventId),
      kind: 'correction',
      eventId: e.eventId,
      userId: e.userId,
      requestId: e.requestId,
      prompt: answers.get(e.requestId)?.prompt ?? e.prompt ?? null,
      response: answers.get(e.requestId)?.response ?? e.response ?? null,
      correction: e.correctionText,
      occurredAt: e.occurredAt,
      version: decision?.version ?? 0,
      ...(decision && { decision }),
      reliability: r.reliability(e.userId),
    }
  })
  return { total, items }
}

/** Flagged users are pending; confirmed or dismissed ones are decided. */
async function listUsers(store: Store, projectId: string, q: Query, r: Reviewed) {
  const { decided } = r
  const all = (await store.listAdversaries(projectId)).filter(
    (a) => (a.status === 'flagged') === (q.status === 'pending'),
  )
  const items: UserItem[] = all.slice(0, q.limit).map((a) => {
    const decision = decided.get(userItemId(a.userId))
    return {
      itemId: userItemId(a.userId),
      kind: 'user',
      userId: a.userId,
      status: a.status,
      reason: a.reason,
      evidence: a.evidence,
      version: decision?.version ?? 0,
      ...(decision && { decision }),
      reliability: r.reliability(a.userId),
    }
  })
  return { total: all.length, items }
}

/**
 * The first `limit` items of the queue with the asked status, and how many there are in all.
 *
 * @example const { total, items } = await listReview(store, project, readReviewQuery({}))
 */
export async function listReview(
  store: Store,
  project: Pick<ProjectRecord, 'id' | 'minReliability'>,
  q: ReviewQuery,
) {
  const decisions = await store.latestReviewDecisions(project.id)
  const reviewed: Reviewed = {
    decided: new Map(decisions.map((d) => [d.itemId, d])),
    reliability: reviewOutcomes(decisions, project.minReliability).reliability,
  }
  const listed =
    q.kind === 'corrections'
      ? await listCorrections(store, project.id, q, reviewed)
      : await listUsers(store, project.id, q, reviewed)
  return { kind: q.kind, status: q.status, ...listed }
}

/**
 * Stores one decision about an item (a decision about a flag is also the flag's new status).
 * 404 for an unknown item, 400 for a decision that does not fit it, 409 for a stale version.
 *
 * @example await decideReview(store, projectId, 'c:ev-1', { decision: 'approve', reviewer: 'Dana' }, Date.now())
 */
export async function decideReview(
  store: Store,
  projectId: string,
  itemId: string,
  body: Record<string, unknown>,
  now: number,
): Promise<{ decision: ReviewDecision }> {
  const item = await findItem(store, projectId, itemId)
  const d = readDecision(body, item.kinds)
  const result = await store.addReviewDecision(
    projectId,
    {
      itemId,
      userId: item.userId,
      decision: d.decision,
      reviewer: d.reviewer,
      decidedAt: now,
      ...(d.text !== undefined && { text: d.text }),
      ...(d.note !== undefined && { note: d.note }),
    },
    d.version,
  )
  if ('stale' in result) {
    throw new CollectorError(
      409,
      'conflict',
      `The item is at version ${result.stale}, not ${d.version}: reload it and decide again`,
    )
  }
  if (item.kinds === USER_DECISIONS) {
    await store.upsertAdversary(projectId, {
      userId: item.userId,
      status: d.decision === 'confirm' ? 'confirmed' : 'dismissed',
      reason: d.note ?? `${d.decision === 'confirm' ? 'confirmed' : 'dismissed'} by ${d.reviewer}`,
    })
  }
  return { decision: result.stored }
}

/** Validates a decision's body against the kind of item it is about. */
function readDecision(body: Record<string, unknown>, kinds: readonly ReviewDecisionKind[]) {
  onlyFields(body, ['decision', 'text', 'reviewer', 'note', 'version'], 'The decision')
  const decision = body.decision as ReviewDecisionKind
  if (!kinds.includes(decision)) {
    throw invalid(`decision must be one of ${kinds.join(', ')} for this item`)
  }
  const reviewer = text(body, 'reviewer', MAX_REVIEWER_CHARS, true)
  const note = text(body, 'note', MAX_NOTE_CHARS)
  const edited =
    decision === 'edit'
      ? text(body, 'text', MAX_RESPONSE_BYTES, true)
      : text(body, 'text', MAX_RESPONSE_BYTES)
  if (edited !== undefined && decision !== 'edit')
    throw invalid('text goes with decision "edit" only')
  const version = body.version ?? 0
  if (!Number.isInteger(version) || (version as number) < 0) {
    throw invalid('version must be the whole number the item showed (0 while undecided)')
  }
  return { decision, reviewer, note, text: edited, version: version as number }
}

/**
 * The review routes, behind the secret key.
 *
 * @example app.route('/', reviewRoutes(ctx, secret))
 */
export function reviewRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const { store } = ctx
  const app = new Hono<CollectorEnv>()

  app.get('/v1/review', secret, allowQuery('kind', 'status', 'limit'), async (c) => {
    const q = readReviewQuery({
      kind: c.req.query('kind'),
      status: c.req.query('status'),
      limit: c.req.query('limit'),
    })
    return c.json(await listReview(store, c.get('caller').project, q))
  })

  app.get('/v1/review/:itemId', secret, allowQuery(), async (c) => {
    const projectId = c.get('caller').project.id
    const itemId = c.req.param('itemId')
    await findItem(store, projectId, itemId)
    return c.json({ itemId, decisions: await store.reviewHistory(projectId, itemId) })
  })

  app.post('/v1/review/:itemId', secret, allowQuery(), async (c) => {
    const projectId = c.get('caller').project.id
    const body = await readJsonBody(c)
    return c.json(await decideReview(store, projectId, c.req.param('itemId'), body, ctx.now()))
  })

  return app
}

/** The item an id names, or 404: a stored correction, or a user on the adversary list. */
async function findItem(store: Store, projectId: string, itemId: string) {
  if (itemId.startsWith('c:')) {
    const event = await store.findEvent(projectId, itemId.slice(2))
    if (event?.signal === 'explicit_correction') {
      return { userId: event.userId, kinds: CORRECTION_DECISIONS }
    }
  } else if (itemId.startsWith('u:')) {
    const userId = itemId.slice(2)
    if ((await store.listAdversaries(projectId)).some((a) => a.userId === userId)) {
      return { userId, kinds: USER_DECISIONS }
    }
  }
  throw new CollectorError(404, 'not_found', `No review item "${itemId}" in this project`)
}
