// The review queue over HTTP: list items, record a decision. The secret key travels in the
// Authorization header only; every failure becomes a sentence a reviewer can act on.
export interface ReviewDecision {
  itemId: string
  decision: 'approve' | 'reject' | 'edit' | 'confirm' | 'dismiss'
  text?: string
  reviewer: string
  note?: string
  decidedAt: number
  version: number
}

/** A correction or a flagged user, as `GET /v1/review` lists them. */
export interface ReviewItem {
  itemId: string
  kind: 'correction' | 'user'
  userId: string
  version: number
  decision?: ReviewDecision
  /** What reviews of the user's corrections say of them; older collectors leave it out. */
  reliability?: UserReliability
  // corrections
  prompt?: string | null
  response?: string | null
  correction?: string
  occurredAt?: string
  // users
  status?: string
  reason?: string
  evidence?: Record<string, number>
}

/** A user's reliability: the factor on their export weight and the reviews behind it. */
export interface UserReliability {
  reliability: number
  unreliable: boolean
  approved: number
  rejected: number
}

export interface ReviewList {
  kind: 'corrections' | 'users'
  status: 'pending' | 'decided'
  total: number
  items: ReviewItem[]
}

async function call(
  key: string,
  path: string,
  init: RequestInit,
  doFetch: typeof fetch,
): Promise<unknown> {
  let res: Response
  try {
    res = await doFetch(path, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      cache: 'no-store',
      credentials: 'omit',
    })
  } catch (err) {
    throw new Error(`Could not reach the collector (${(err as Error).message}).`)
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } }
  if (!res.ok) {
    throw new Error(body.error?.message ?? `The collector refused the request (${res.status}).`)
  }
  return body
}

/**
 * The first items of the queue of one kind and status, and how many there are.
 *
 * @example const { total, items } = await fetchReview('sk_…', 'corrections', 'pending')
 */
export function fetchReview(
  key: string,
  kind: ReviewList['kind'],
  status: ReviewList['status'],
  doFetch: typeof fetch = fetch,
): Promise<ReviewList> {
  const query = new URLSearchParams({ kind, status, limit: '200' })
  return call(key, `/v1/review?${query}`, {}, doFetch) as Promise<ReviewList>
}

/**
 * Records a decision about an item at the version the reviewer saw.
 *
 * @example await decide('sk_…', item, { decision: 'approve', reviewer: 'Dana' })
 */
export async function decide(
  key: string,
  item: Pick<ReviewItem, 'itemId' | 'version'>,
  body: { decision: ReviewDecision['decision']; reviewer: string; text?: string; note?: string },
  doFetch: typeof fetch = fetch,
): Promise<ReviewDecision> {
  const answer = (await call(
    key,
    `/v1/review/${encodeURIComponent(item.itemId)}`,
    { method: 'POST', body: JSON.stringify({ ...body, version: item.version }) },
    doFetch,
  )) as { decision: ReviewDecision }
  return answer.decision
}
