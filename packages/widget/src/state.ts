// What the user already did on each answer, kept in signals and in localStorage, so a
// re-rendered or reloaded control shows the vote it had (no "it forgot my vote").
import { type Signal, signal } from '@preact/signals-core'

/** What happened on one answer (or one conversation, for CSAT). */
export interface AnswerState {
  /** The thumb chosen. `down` with `pending` means the "what was wrong?" step is open. */
  vote?: 'up' | 'down'
  pending?: boolean
  /** The eventId the thumbs_down was sent under, which the reasons given afterwards amend. */
  voteId?: string
  /** The correction sent. */
  corrected?: string
  /** The CSAT score sent. */
  csat?: number
  /** The escalation reason sent. */
  escalated?: string
}

/** Where the state is persisted: `localStorage` or anything shaped like it. */
export type StateStorage = Pick<Storage, 'getItem' | 'setItem'>

/** The states of all answers of one project on this page and across reloads. */
export interface StateStore {
  /** The state of `id` as a signal; the same signal for the same id. */
  get(id: string): Signal<AnswerState>
  /** Merges `patch` into the state of `id` and persists it. */
  set(id: string, patch: AnswerState): void
}

const MAX_REMEMBERED = 300 // answers remembered per project; the oldest are forgotten first

/**
 * A state store persisted under `tightloop:<key>` in `storage` (default `localStorage`;
 * `null` keeps it in memory). Broken or full storage only costs persistence.
 *
 * @example const state = createStateStore('pk_live_1'); state.set('req_1', { vote: 'up' })
 */
export function createStateStore(key: string, storage?: StateStorage | null): StateStore {
  const name = `tightloop:${key}`
  let store: StateStorage | null = null
  let saved: Record<string, AnswerState> = {}
  try {
    store = storage === undefined ? globalThis.localStorage : storage
    saved = JSON.parse(store?.getItem(name) ?? '{}') ?? {}
  } catch {
    // Private modes and sandboxed frames throw on access: the state lives for the page only.
  }
  const signals = new Map<string, Signal<AnswerState>>()
  const get = (id: string) => {
    let s = signals.get(id)
    if (!s) {
      s = signal(saved[id] ?? {})
      signals.set(id, s)
    }
    return s
  }
  return {
    get,
    set(id, patch) {
      const s = get(id)
      s.value = { ...s.value, ...patch }
      delete saved[id]
      saved[id] = s.value
      const ids = Object.keys(saved)
      for (const old of ids.slice(0, ids.length - MAX_REMEMBERED)) delete saved[old]
      try {
        store?.setItem(name, JSON.stringify(saved))
      } catch {
        // Quota exceeded: the state still holds for this page.
      }
    },
  }
}
