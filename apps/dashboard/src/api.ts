// Reads GET /v1/stats with the project secret key, and turns every failure into a sentence.
import type { StatsReport } from '@tightloop/collector'

export type { StatsReport }

/** Why the stats could not be read, with a message a person can act on. */
export class StatsError extends Error {
  constructor(
    readonly kind: 'wrong_key' | 'public_key' | 'bad_request' | 'server' | 'network',
    message: string,
  ) {
    super(message)
    this.name = 'StatsError'
  }
}

/** The collector is still reading the project's events once (a cold start): try again soon. */
export interface StatsBuilding {
  /** `phase`: the adversary scan reads every event first, then the build (older collectors: none). */
  building: { eventsRead: number; eventsStored: number; phase?: 'scan' | 'build' }
}

/** Days of history the dashboard asks for by default. */
export const DEFAULT_DAYS = 90
const DAY_MS = 86_400_000

/**
 * The message for a key that cannot be right before it is even sent: only secret keys read.
 *
 * @example keyProblem('pk_123') // 'That is a public key (pk_…) …'
 */
export function keyProblem(key: string): string | null {
  const trimmed = key.trim()
  if (trimmed === '') return 'Enter the project secret key.'
  if (trimmed.startsWith('pk_')) {
    return 'That is a public key (pk_…): it only sends feedback. Sign in with the project secret key (sk_…).'
  }
  if (!trimmed.startsWith('sk_')) return 'A project secret key starts with sk_.'
  return null
}

/**
 * Fetches the report of the last `days` days. The key travels only in the Authorization
 * header, never in the URL, so it stays out of history, referrers and access logs.
 *
 * @example const report = await fetchStats('sk_…', { days: 90 })
 */
export async function fetchStats(
  key: string,
  options: { days?: number; now?: number; fetch?: typeof fetch; base?: string } = {},
): Promise<StatsReport | StatsBuilding> {
  const days = options.days ?? DEFAULT_DAYS
  const now = options.now ?? Date.now()
  const since = new Date(Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS).toISOString()
  const doFetch = options.fetch ?? fetch
  let res: Response
  try {
    res = await doFetch(`${options.base ?? ''}/v1/stats?since=${encodeURIComponent(since)}`, {
      headers: { authorization: `Bearer ${key.trim()}` },
      cache: 'no-store',
      credentials: 'omit',
    })
  } catch (err) {
    throw new StatsError(
      'network',
      `Could not reach the collector (${(err as Error).message}). Is it running?`,
    )
  }
  if (res.status === 202) return (await res.json()) as StatsBuilding
  if (res.ok) return (await res.json()) as StatsReport
  const detail = await res
    .json()
    .then((b: { error?: { message?: string } }) => b.error?.message)
    .catch(() => undefined)
  if (res.status === 401) {
    throw new StatsError(
      'wrong_key',
      'That key was not accepted. Use the secret key (sk_…) of this project; it may have been rotated.',
    )
  }
  if (res.status === 403) {
    throw new StatsError(
      'public_key',
      'That key cannot read statistics: sign in with the project secret key (sk_…).',
    )
  }
  if (res.status < 500) {
    throw new StatsError(
      'bad_request',
      detail ?? `The collector refused the request (${res.status}).`,
    )
  }
  throw new StatsError('server', `The collector failed (${res.status}). Its log says why.`)
}
