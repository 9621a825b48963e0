// Gives every element marked `data-tightloop-request-id` a feedback bar, now and whenever a
// chat UI adds one later (MutationObserver).

/** The attribute that marks an answer; its value is the answer's `requestId`. */
export const REQUEST_ID_ATTRIBUTE = 'data-tightloop-request-id'
const PROMPT_ATTRIBUTE = 'data-tightloop-prompt'
const RESPONSE_ATTRIBUTE = 'data-tightloop-response'
const BAR_ATTRIBUTE = 'data-tightloop-bar'
const SELECTOR = `[${REQUEST_ID_ATTRIBUTE}]`

/** Options of `watchAnswers`. */
export interface WatchOptions {
  /** `theme` of the bars: `light`, `dark` or `auto`; read each time a bar is made or updated. */
  theme?: () => string | undefined
}

/** What `watchAnswers` returns. */
export interface AnswerWatcher {
  /** Re-reads every marked answer (after a theme change, say). */
  refresh(): void
  /** Stops watching; the bars stay. */
  disconnect(): void
}

/**
 * Appends a `<tightloop-feedback>` bar to each answer element under `root` and keeps them in
 * step: answers added later get one, a changed `data-tightloop-*` attribute updates it, and a
 * bar the host's re-render removed comes back (its state is kept by the widget).
 *
 * @example watchAnswers(document.documentElement, { theme: () => 'dark' })
 */
export function watchAnswers(root: Element, options: WatchOptions = {}): AnswerWatcher {
  const doc = root.ownerDocument
  const attach = (answer: Element) => {
    const requestId = answer.getAttribute(REQUEST_ID_ATTRIBUTE)
    if (!requestId) return
    let bar = [...answer.children].find((child) => child.hasAttribute(BAR_ATTRIBUTE))
    if (!bar) {
      bar = doc.createElement('tightloop-feedback')
      bar.setAttribute(BAR_ATTRIBUTE, '')
      answer.append(bar)
    }
    const copy = (from: string, to: string) => {
      const value = answer.getAttribute(from)
      if (value === null) bar.removeAttribute(to)
      else if (bar.getAttribute(to) !== value) bar.setAttribute(to, value)
    }
    copy(PROMPT_ATTRIBUTE, 'prompt')
    copy(RESPONSE_ATTRIBUTE, 'response')
    const theme = options.theme?.()
    if (theme && bar.getAttribute('theme') !== theme) bar.setAttribute('theme', theme)
    if (bar.getAttribute('request-id') !== requestId) bar.setAttribute('request-id', requestId)
  }
  const scan = (node: Element) => {
    if (node.matches(SELECTOR)) attach(node)
    for (const answer of node.querySelectorAll(SELECTOR)) attach(answer)
  }
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target as Element
      if (record.type === 'attributes') attach(target)
      else {
        for (const node of record.addedNodes) if (node.nodeType === 1) scan(node as Element)
        // The host replaced the answer's children, bar included: put it back.
        if (record.removedNodes.length && target.nodeType === 1 && target.matches(SELECTOR))
          attach(target)
      }
    }
  })
  observer.observe(root, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: [REQUEST_ID_ATTRIBUTE, PROMPT_ATTRIBUTE, RESPONSE_ATTRIBUTE],
  })
  scan(root)
  return { refresh: () => scan(root), disconnect: () => observer.disconnect() }
}
