// Test helpers for the widget: a recording client, a Storage in memory, DOM queries by name.
import type { FeedbackSink } from './widget.ts'

/** One recorded client call. */
export interface Call {
  method: string
  args: Record<string, unknown>
}

/** A client that records every call, shaped like `createClient`'s. */
export function recordingClient(): FeedbackSink & { calls: Call[]; of(method: string): Call[] } {
  const calls: Call[] = []
  const record = (method: string) => async (args: object) => {
    calls.push({ method, args: { ...args } })
  }
  return {
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    thumbsUp: record('thumbsUp'),
    thumbsDown: record('thumbsDown'),
    correct: record('correct'),
    csat: record('csat'),
    escalate: record('escalate'),
    shown: record('shown'),
  }
}

/** A `localStorage` stand-in that outlives the widgets using it (a "reload"). */
export function memoryLocalStorage() {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  }
}

/** Lets Preact's debounced re-renders and effects run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

/** The button (or other element) whose accessible name is `name`, under `root`. */
export function byName(root: ParentNode, name: string): HTMLElement {
  for (const el of root.querySelectorAll<HTMLElement>('button, textarea, select')) {
    const label = el.getAttribute('aria-label') ?? el.textContent?.trim()
    if (label === name) return el
  }
  throw new Error(`nothing named "${name}"`)
}

/** Presses a key on `el` as a keyboard would: a bubbling keydown. */
export function press(el: Element, key: string, init: KeyboardEventInit = {}) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }))
}

/** Types into a textarea: sets the value and fires `input`. */
export function type(el: HTMLTextAreaElement, text: string) {
  el.value = text
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

/** The element focused inside `root` (a shadow root or the document). */
export function focused(root: DocumentOrShadowRoot = document): Element | null {
  return root.activeElement
}
