// The implicit-signal side of an export: the project's IDF from its stored prompts, and the
// derivation wrapped around the event stream (pipeline implicit-signals.ts does the judging).
import {
  createImplicitDeriver,
  createPromptIdf,
  type ImplicitDeriver,
  type PromptIdf,
} from '@tightloop/pipeline'
import { SIGNALS, type Signal, type StoredEvent } from '@tightloop/schema'
import type { ProjectRecord, SkippedEvent, Store } from '../store/types.ts'

/** Prompts of the last 30 days feed the IDF: today's vocabulary, not last year's. */
const IDF_DAYS = 30
/** At most this many prompts are read for it (about 5 MB of text at typical sizes). */
const IDF_MAX_PROMPTS = 100_000
/** An IDF is reused this long (10 minutes) before it is rebuilt from stored traffic. */
const IDF_TTL_MS = 600_000
const DAY_MS = 86_400_000
const PROMPT_SIGNALS: readonly Signal[] = ['prompt_asked', 'response_shown']
const NOT_PROMPTS = SIGNALS.filter((s) => !PROMPT_SIGNALS.includes(s))

/** What an export derives implicit signals with. */
export interface ImplicitRules {
  sessionIdleMs: number
  rephraseThreshold: number
  idf: PromptIdf
}

const cache = new WeakMap<Store, Map<string, { at: number; idf: PromptIdf }>>()

/**
 * The project's prompt IDF at `now`, from its stored prompts of the last 30 days (first
 * 100,000), kept 10 minutes per store and project.
 *
 * @example const idf = await loadPromptIdf(store, project.id, Date.now())
 */
export async function loadPromptIdf(store: Store, projectId: string, now: number) {
  let byProject = cache.get(store)
  if (!byProject) {
    byProject = new Map()
    cache.set(store, byProject)
  }
  const hit = byProject.get(projectId)
  if (hit && now - hit.at < IDF_TTL_MS && now >= hit.at) return hit.idf
  const idf = createPromptIdf()
  const range = { since: now - IDF_DAYS * DAY_MS }
  for await (const event of store.streamEventsSkipping(projectId, NOT_PROMPTS, range)) {
    if ('skipped' in event || !event.prompt) continue
    idf.add(event.prompt)
    if (idf.documents >= IDF_MAX_PROMPTS) break
  }
  byProject.set(projectId, { at: now, idf })
  return idf
}

/**
 * The implicit rules of a project, or undefined when it takes abandonment and rephrase as
 * browsers send them (`deriveImplicitSignals` off).
 *
 * @example const implicit = await loadImplicitRules(store, project, Date.now())
 */
export async function loadImplicitRules(
  store: Store,
  project: ProjectRecord,
  now: number,
): Promise<ImplicitRules | undefined> {
  if (!project.deriveImplicitSignals) return undefined
  return {
    sessionIdleMs: project.sessionIdleMinutes * 60_000,
    rephraseThreshold: project.rephraseThreshold,
    idf: await loadPromptIdf(store, project.id, now),
  }
}

/**
 * Wraps an export's events: each stored event, followed by the implicit events it completes,
 * and at the end those the idle window closes at `now`.
 *
 * @example for await (const e of withDerived(events, createImplicitDeriver({ now, idf }))) builder.push(e)
 */
export async function* withDerived(
  events: AsyncIterable<StoredEvent | SkippedEvent>,
  deriver: ImplicitDeriver,
): AsyncGenerator<StoredEvent | SkippedEvent> {
  for await (const event of events) {
    yield event
    if (!('skipped' in event)) yield* deriver.push(event)
  }
  yield* deriver.end()
}

export { createImplicitDeriver }
