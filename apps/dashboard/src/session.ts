// The signed-in state: the secret key (sessionStorage at most: gone when the tab closes),
// the last report and what went wrong.
import { signal } from '@preact/signals'
import {
  DEFAULT_DAYS,
  fetchStats,
  keyProblem,
  type StatsBuilding,
  StatsError,
  type StatsReport,
} from './api.ts'

const STORAGE_KEY = 'tightloop.dashboard.key'

/** What the dashboard needs from the outside world; tests pass fakes. */
export interface SessionDeps {
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
  fetch?: typeof fetch
  now?: () => number
  /** Waits between polls while the collector builds its statistics; default 1 s. */
  wait?: (ms: number) => Promise<void>
}

const POLL_MS = 1_000 // the collector's Retry-After

/**
 * Creates the session: signals for the report, the error and loading, and the actions.
 *
 * @example const session = createSession({ storage: sessionStorage })
 */
export function createSession(deps: SessionDeps = {}) {
  const storage = deps.storage ?? null
  const key = signal<string | null>(storage?.getItem(STORAGE_KEY) ?? null)
  const report = signal<StatsReport | null>(null)
  const error = signal<string | null>(null)
  const loading = signal(false)
  const days = signal(DEFAULT_DAYS)
  const building = signal<StatsBuilding['building'] | null>(null)
  const wait = deps.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))

  async function load(candidate: string): Promise<boolean> {
    loading.value = true
    error.value = null
    try {
      for (;;) {
        const answer = await fetchStats(candidate, {
          days: days.value,
          ...(deps.fetch && { fetch: deps.fetch }),
          ...(deps.now && { now: deps.now() }),
        })
        if (!('building' in answer)) {
          building.value = null
          report.value = answer
          return true
        }
        // The key worked (202 needs it too): show the progress and ask again.
        building.value = answer.building
        await wait(POLL_MS)
      }
    } catch (err) {
      error.value = err instanceof StatsError ? err.message : `Unexpected error: ${String(err)}`
      if (err instanceof StatsError && (err.kind === 'wrong_key' || err.kind === 'public_key')) {
        signOut(false)
      }
      return false
    } finally {
      loading.value = false
      building.value = null
    }
  }

  function signOut(clearError = true) {
    key.value = null
    report.value = null
    storage?.removeItem(STORAGE_KEY)
    if (clearError) error.value = null
  }

  return {
    key,
    report,
    error,
    loading,
    days,
    /** Progress of the collector's first read of this project, while it lasts. */
    building,
    /** Checks the key, loads the report, and remembers the key for this tab if it worked. */
    async signIn(candidate: string) {
      const problem = keyProblem(candidate)
      if (problem) {
        error.value = problem
        return false
      }
      const ok = await load(candidate.trim())
      if (ok) {
        key.value = candidate.trim()
        storage?.setItem(STORAGE_KEY, key.value)
      }
      return ok
    },
    async refresh() {
      if (key.value) await load(key.value)
    },
    async setDays(n: number) {
      days.value = n
      if (key.value) await load(key.value)
    },
    signOut,
  }
}

/** A session. */
export type Session = ReturnType<typeof createSession>
