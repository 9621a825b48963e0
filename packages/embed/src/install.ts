// The script tag's start-up: read the tag, create the client and widget, drain the queue of
// calls made before it loaded, define the elements and put a bar on every marked answer.
import { createClient, type FeedbackClient } from '@tightloop/client'
import {
  createWidget,
  defineElements,
  type Labels,
  languageOf,
  type Widget,
} from '@tightloop/widget'
import { type AnswerWatcher, watchAnswers } from './answers.ts'

/** Settings `tightloop('configure', …)` takes. */
export interface EmbedSettings {
  /** `en`, `de` or `fr` (loaded from the collector on first use). */
  lang?: string
  /** Any label, over the language's. */
  labels?: Partial<Labels>
  /** Theme of the automatic bars: `light`, `dark` or `auto`. */
  theme?: string
}

const CLIENT_METHODS = [
  'thumbsUp',
  'thumbsDown',
  'csat',
  'correct',
  'escalate',
  'shown',
  'prompted',
  'resolve',
  'flush',
  'close',
] as const
const LANGUAGE_WAIT_MS = 3_000 // bars wait this long for their language, then show English

/** `window.tightloop` once loaded: callable as in the queue snippet, and as an object. */
export type TightloopApi = ((method: string, ...args: unknown[]) => unknown) &
  Pick<FeedbackClient, (typeof CLIENT_METHODS)[number] | 'status'> & {
    /** Changes language, labels or theme; resolves once the language is loaded. */
    configure(settings: EmbedSettings): Promise<void>
    client: FeedbackClient
    widget: Widget
    /** Resolves once the elements are defined and the first bars are up. */
    ready: Promise<void>
    answers?: AnswerWatcher
  }

/** Side effects `install` uses, for tests; the script tag passes none. */
export interface InstallOptions {
  fetch?: (url: string, init?: RequestInit) => Promise<Response>
}

/** What the two-line snippet leaves on `window` before the script runs. */
type Stub = { q?: ArrayLike<unknown>[] }

/**
 * Starts tightloop from its `<script>` tag: `data-key` (required), `data-endpoint` (default:
 * the script's own origin), `data-lang` (default: the page's `lang`), `data-theme`,
 * `data-product-version`, `data-model-version`, `data-user-id`. Puts the API on
 * `window.tightloop`, runs the calls queued there, and returns the API.
 *
 * @example install(document.currentScript, window)
 */
export function install(
  script: HTMLOrSVGScriptElement | null,
  win: Window & { tightloop?: unknown },
  options: InstallOptions = {},
): TightloopApi | undefined {
  const fetcher = options.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init))
  // A second copy of the tag on the page reuses the first instead of doubling every event.
  const existing = win.tightloop as Partial<TightloopApi> | undefined
  if (existing?.client && existing.widget) return existing as TightloopApi
  const data = (script as HTMLElement | null)?.dataset ?? {}
  const key = data.key
  if (!key) {
    console.warn('tightloop: the script tag needs data-key="pk_…"; feedback is off')
    return
  }
  const src = (script as HTMLScriptElement | null)?.src
  const endpoint = (data.endpoint ?? (src ? new URL(src).origin : win.location.origin)).replace(
    /\/$/,
    '',
  )
  const client = createClient({
    endpoint,
    key,
    fetch: fetcher,
    productVersion: data.productVersion,
    modelVersion: data.modelVersion,
    userId: data.userId,
    // No detectors: the page sends facts (answers shown, prompts, page left) and the collector
    // derives abandonment and rephrase from them under the project's settings.
  })
  const widget = createWidget({ client, endpoint, key, fetch: fetcher })
  // Sending stopped for good (a refused origin, a wrong key): say so once, in the collector's
  // words, which name the origin and the fix; the events stay queued.
  // (A new client starts without an error, so `off` exists by the time one comes.)
  const off = client.status.subscribe(({ error, message }) => {
    if (error) {
      off()
      console.warn(`tightloop: ${message ?? error}`)
    }
  })
  let theme = data.theme
  let lang = data.lang || win.document.documentElement.lang || 'en'
  let overrides: Partial<Labels> = {}
  const packs = new Map<string, Promise<Labels | undefined>>()
  const loadPack = (code: string) => {
    if (code === 'en') return Promise.resolve(undefined)
    if (!packs.has(code))
      packs.set(
        code,
        fetcher(`${endpoint}/tightloop/lang/${code}.json`)
          .then((res) => (res.ok ? res.json() : undefined))
          .catch(() => undefined),
      )
    return packs.get(code)!
  }

  const api = ((method: string, ...args: unknown[]) => {
    const fn = (api as unknown as Record<string, unknown>)[method]
    if (typeof fn === 'function') return fn(...args)
    console.warn(`tightloop: no method "${method}"`)
  }) as TightloopApi
  for (const method of CLIENT_METHODS) api[method] = client[method] as never
  Object.defineProperty(api, 'status', { get: () => client.status })
  api.client = client
  api.widget = widget
  api.configure = async (settings) => {
    if (settings.theme) theme = settings.theme
    if (settings.lang) lang = settings.lang
    if (settings.labels) overrides = settings.labels
    api.answers?.refresh()
    const code = languageOf(lang)
    const pack = await loadPack(code)
    // A later configure chose another language while this pack loaded: it wins.
    if (languageOf(lang) !== code) return
    widget.setLabels(code, {
      ...pack,
      ...overrides,
      reasons: { ...pack?.reasons, ...overrides.reasons },
    })
  }
  // The calls the snippet queued before this script ran; then the API takes the stub's place.
  const calls = Array.from(
    (win.tightloop as Stub | undefined)?.q ?? [],
    (args) => Array.from(args) as [string, ...unknown[]],
  )
  win.tightloop = api

  // Settings first, so the first bars already speak the page's language.
  const configured = Promise.all([
    api.configure({}),
    ...calls.filter((c) => c[0] === 'configure').map((c) => api(...c)),
  ])
  const wait = new Promise((resolve) => setTimeout(resolve, LANGUAGE_WAIT_MS))
  // Mounting starts in a task of its own, so the script's evaluation stays a short task.
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))
  api.ready = Promise.race([configured, wait])
    .then(nextTask)
    .then(() => {
      defineElements(widget, { nonce: (script as HTMLScriptElement | null)?.nonce || undefined })
      api.answers = watchAnswers(win.document.documentElement, { theme: () => theme })
    })
  for (const call of calls) if (call[0] !== 'configure') api(...call)
  return api
}
