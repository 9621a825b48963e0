// Gives every element marked `data-tightloop-request-id` a feedback bar, now and whenever a
// chat UI adds one later (MutationObserver).

/** The attribute that marks an answer; its value is the answer's `requestId`. */
export const REQUEST_ID_ATTRIBUTE = 'data-tightloop-request-id'
const PROMPT_ATTRIBUTE = 'data-tightloop-prompt'
const RESPONSE_ATTRIBUTE = 'data-tightloop-response'
const BAR_ATTRIBUTE = 'data-tightloop-bar'
const SELECTOR = `[${REQUEST_ID_ATTRIBUTE}]`
const MOUNT_SLICE_MS = 8 // one slice of bar mounting; a long task starts at 50 ms
// Elements whose edges separate words once whitespace is collapsed; inline ones do not.
const BLOCK = /^(p|div|h[1-6]|li|ul|ol|br|tr|td|th|dd|dt|pre|table|section|article|blockquote)$/
const SKIP = /^(script|style|template|tightloop-.*)$/
const isBar = (node: Node) => node.nodeType === 1 && (node as Element).hasAttribute(BAR_ATTRIBUTE)
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim()

/**
 * The answer's text as a reader sees it: whitespace collapsed, words of separate blocks apart,
 * without any feedback bar or script, and without a heading that only repeats the question.
 *
 * @example answerText(faqCard, 'I lost my card') // 'Freeze it in the app…'
 */
export function answerText(answer: Element, prompt: string | null): string {
  let out = ''
  const walk = (node: Node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) out += child.nodeValue
      if (child.nodeType !== 1) continue
      const name = (child as Element).localName
      if (
        SKIP.test(name) ||
        (/^h[1-6]$/.test(name) && squash(child.textContent) === squash(prompt))
      )
        continue
      const gap = BLOCK.test(name) ? ' ' : ''
      out += gap
      walk(child)
      out += gap
    }
  }
  walk(answer)
  return squash(out)
}

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
  // Bars mount in slices of MOUNT_SLICE_MS, the rest in later tasks, so a page or a chat
  // history of many answers never holds the main thread past the 50 ms of a long task.
  // One slice per task: the bars a slice appends call the observer back in the same task,
  // and that call must wait for the next task rather than run a second slice.
  const pending = new Set<Element>()
  let scheduled = false
  let sliceUsed = false
  const schedule = () => {
    if (scheduled || !pending.size) return
    scheduled = true
    setTimeout(() => {
      scheduled = false
      mountSome()
    }, 0)
  }
  const mountSome = () => {
    if (sliceUsed) return schedule()
    sliceUsed = true
    setTimeout(() => {
      sliceUsed = false
    }, 0)
    const end = performance.now() + MOUNT_SLICE_MS
    for (const answer of pending) {
      pending.delete(answer)
      attach(answer)
      if (performance.now() > end) break
    }
    schedule()
  }
  const attach = (answer: Element) => {
    const requestId = answer.getAttribute(REQUEST_ID_ATTRIBUTE)
    if (!requestId || !answer.isConnected) return
    const found = [...answer.children].find((child) => child.hasAttribute(BAR_ATTRIBUTE))
    // A new bar gets its attributes before it is connected, so it renders once.
    const bar = found ?? doc.createElement('tightloop-feedback')
    const set = (name: string, value: string | null | undefined) => {
      if (value == null) bar.removeAttribute(name)
      else if (bar.getAttribute(name) !== value) bar.setAttribute(name, value)
    }
    set(BAR_ATTRIBUTE, '')
    set('prompt', answer.getAttribute(PROMPT_ATTRIBUTE))
    // The rendered text, clean, unless the page says what the answer was.
    const prompt = answer.getAttribute(PROMPT_ATTRIBUTE)
    set('response', answer.getAttribute(RESPONSE_ATTRIBUTE) ?? answerText(answer, prompt))
    const theme = options.theme?.()
    if (theme) set('theme', theme)
    set('request-id', requestId)
    if (!found) answer.append(bar)
  }
  const queue = (answer: Element) => pending.add(answer)
  const scan = (node: Element) => {
    if (node.matches(SELECTOR)) queue(node)
    for (const answer of node.querySelectorAll(SELECTOR)) queue(answer)
  }
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target as Element
      // Text streaming into an answer: its bar's response is read again (not for our own bars).
      const nodes = [...record.addedNodes, ...record.removedNodes]
      const owner = (target.nodeType === 1 ? target : target.parentElement)?.closest(SELECTOR)
      if (owner && record.type !== 'attributes' && !nodes.some(isBar)) queue(owner)
      if (record.type === 'attributes') queue(target)
      else if (record.type === 'childList') {
        for (const node of record.addedNodes) if (node.nodeType === 1) scan(node as Element)
        // The host replaced the answer's children, bar included: put it back.
        if (record.removedNodes.length && target.nodeType === 1 && target.matches(SELECTOR))
          queue(target)
      }
    }
    mountSome()
  })
  observer.observe(root, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: [REQUEST_ID_ATTRIBUTE, PROMPT_ATTRIBUTE, RESPONSE_ATTRIBUTE],
  })
  const refresh = () => {
    scan(root)
    mountSome()
  }
  refresh()
  return { refresh, disconnect: () => observer.disconnect() }
}
