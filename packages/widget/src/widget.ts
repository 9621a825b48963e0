// createWidget: what every control shares: the client, labels, escalation reasons and state.
import { type ReadonlySignal, signal } from '@preact/signals-core'
import type { AnswerContext, FeedbackClient } from '@tightloop/client'
import { DEFAULT_ESCALATION_REASONS } from '@tightloop/schema/signals'
import { type Labels, resolveLabels } from './labels.ts'
import { createStateStore, type StateStorage, type StateStore } from './state.ts'

/** The client methods the controls call; a `createClient` client fits. */
export type FeedbackSink = Pick<
  FeedbackClient,
  'thumbsUp' | 'thumbsDown' | 'correct' | 'csat' | 'escalate' | 'shown'
>

/** Options of `createWidget`. */
export interface WidgetOptions {
  client: FeedbackSink
  /** Collector base URL and public key: the project's escalation reasons load from there. */
  endpoint?: string
  key?: string
  /** Language of the labels, looked up in `languages`; a region suffix is ignored. */
  lang?: string
  /** Label sets by language; default English only. `LANGUAGES` adds German and French. */
  languages?: Readonly<Record<string, Labels>>
  /** Any label, over the language's. */
  labels?: Partial<Labels>
  /** Escalation reasons to offer without asking the collector. */
  reasons?: readonly string[]
  /** Where control state persists; default `localStorage`, `null` for memory only. */
  storage?: StateStorage | null
  /** Network for the reason list; default the global `fetch`. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>
  /** Send `response_shown` once per answer when its bar first renders (default true). */
  trackShown?: boolean
}

/** The shared state of the controls on a page. */
export interface Widget {
  client: FeedbackSink
  labels: ReadonlySignal<Labels>
  /** The project's escalation reasons; `DEFAULT_ESCALATION_REASONS` until (or unless) loaded. */
  reasons: ReadonlySignal<readonly string[]>
  state: StateStore
  /** Resolves once the reason list is settled (loaded, or fallen back). */
  ready: Promise<void>
  /**
   * Switches every control to `lang` (from `languages`) with `overrides` on top; a whole
   * `Labels` object as overrides brings a language the widget was not given.
   */
  setLabels(lang?: string, overrides?: Partial<Labels>): void
  /** Sends `response_shown` for an answer, once per page. */
  seen(answer: AnswerContext): void
}

/**
 * Creates the widget state shared by the Preact components and the custom elements.
 *
 * @example
 * const widget = createWidget({ client, endpoint: 'https://feedback.example.com', key: 'pk_live_1' })
 * render(<FeedbackBar widget={widget} answer={{ requestId, prompt, response }} />, el)
 */
export function createWidget(options: WidgetOptions): Widget {
  const { client, endpoint, key, languages } = options
  const labels = signal(resolveLabels(options.lang, options.labels, languages))
  const reasons = signal<readonly string[]>(options.reasons ?? DEFAULT_ESCALATION_REASONS)
  const seen = new Set<string>()
  return {
    client,
    labels,
    reasons,
    state: createStateStore(key ?? 'default', options.storage),
    ready:
      options.reasons || !endpoint || !key
        ? Promise.resolve()
        : loadEscalationReasons(endpoint, key, options.fetch).then((list) => {
            if (list) reasons.value = list
          }),
    setLabels(lang, overrides) {
      labels.value = resolveLabels(lang, overrides, languages)
    },
    seen(answer) {
      if (options.trackShown === false || seen.has(answer.requestId)) return
      seen.add(answer.requestId)
      client.shown(answer)
    },
  }
}

/**
 * The project's escalation reasons from `GET /v1/config?key=`, or `undefined` when they
 * cannot be loaded (offline, old collector, origin refused): callers keep the defaults.
 *
 * @example await loadEscalationReasons('https://feedback.example.com', 'pk_live_1')
 */
export async function loadEscalationReasons(
  endpoint: string,
  key: string,
  fetcher: WidgetOptions['fetch'] = globalThis.fetch,
): Promise<string[] | undefined> {
  try {
    const res = await fetcher(
      `${endpoint.replace(/\/$/, '')}/v1/config?key=${encodeURIComponent(key)}`,
    )
    const body = res.ok ? await res.json() : undefined
    const list = body?.escalationReasons
    return Array.isArray(list) && list.length && list.every((r) => typeof r === 'string')
      ? list
      : undefined
  } catch {
    return undefined
  }
}
