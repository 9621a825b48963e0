// The controls as custom elements in open Shadow DOM, so React, Vue and plain pages use them.
import type { AnswerContext } from '@tightloop/client'
import { render, type VNode } from 'preact'
import { Csat } from './csat.tsx'
import { Escalate } from './escalate.tsx'
import { FeedbackBar } from './feedback.tsx'
import { adoptStyles } from './styles.ts'
import type { Widget } from './widget.ts'

/** Detail of the `tightloop-escalate` event (bubbles, crosses shadow roots). */
export interface EscalateEventDetail {
  reason: string
  requestId: string
}

/** Options of `defineElements`. */
export interface ElementOptions {
  /** Nonce for the `<style>` fallback where constructable stylesheets are missing. */
  nonce?: string
}

const ANSWER_ATTRIBUTES = ['request-id', 'prompt', 'response', 'theme', 'agent', 'editable']

// Reads the answer from the element's attributes. Without `response`, a feedback bar reads the
// text when used: its own (wrapping an answer) or its parent's (a bar appended to an answer),
// so an answer still streaming in is read in full. CSAT and escalation take the attribute only.
function answerOf(el: HTMLElement, readText = false): AnswerContext {
  const attr = (name: string) => el.getAttribute(name) ?? undefined
  return {
    requestId: attr('request-id') ?? '',
    prompt: attr('prompt'),
    get response() {
      const source = el.firstChild ? el : el.parentElement
      return attr('response') ?? (readText ? source?.textContent?.trim() : undefined)
    },
  }
}

/** Base of the three elements: renders a Preact tree into its shadow root on every change. */
abstract class TightloopElement extends HTMLElement {
  static observedAttributes = ANSWER_ATTRIBUTES
  _mount?: HTMLElement
  abstract _view(): VNode | null

  connectedCallback() {
    if (!this._mount) {
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' })
      adoptStyles(shadow, this._nonce())
      this._mount = shadow.appendChild(document.createElement('div'))
    }
    this._render()
  }
  attributeChangedCallback() {
    if (this._mount && this.isConnected) this._render()
  }
  disconnectedCallback() {
    if (this._mount) render(null, this._mount)
  }
  _render() {
    render(this.getAttribute('request-id') ? this._view() : null, this._mount!)
  }
  _nonce(): string | undefined {
    return undefined
  }
}

/**
 * Defines `<tightloop-feedback>`, `<tightloop-csat>` and `<tightloop-escalate>` on `widget`
 * (once per page; later calls are ignored). Attributes: `request-id` (required), `prompt`,
 * `response`, `theme` (`light`, `dark`, `auto`); `editable="false"` hides "Edit answer";
 * `agent` on `<tightloop-escalate>` makes it the agent-console picker. `<tightloop-escalate>`
 * calls its `onEscalate` property and dispatches a bubbling, composed `tightloop-escalate`
 * event with `{ reason, requestId }`.
 *
 * @example
 * defineElements(widget)
 * // <tightloop-feedback request-id="req_1" prompt="How do I reset my PIN?">Open Settings…</tightloop-feedback>
 */
export function defineElements(widget: Widget, options: ElementOptions = {}): void {
  const registry = globalThis.customElements
  if (!registry || registry.get('tightloop-feedback')) return
  const nonce = () => options.nonce

  registry.define(
    'tightloop-feedback',
    class extends TightloopElement {
      override _nonce = nonce
      _view() {
        return (
          <FeedbackBar
            widget={widget}
            answer={answerOf(this, true)}
            editable={this.getAttribute('editable') !== 'false'}
          >
            {this.firstChild ? <slot /> : undefined}
          </FeedbackBar>
        )
      }
    },
  )
  registry.define(
    'tightloop-csat',
    class extends TightloopElement {
      override _nonce = nonce
      _view() {
        return <Csat widget={widget} answer={answerOf(this)} />
      }
    },
  )
  registry.define(
    'tightloop-escalate',
    class extends TightloopElement {
      override _nonce = nonce
      /** Called with the reason once the escalation is queued. */
      onEscalate?: (reason: string) => void
      _view() {
        const answer = answerOf(this)
        return (
          <Escalate
            widget={widget}
            answer={answer}
            agent={this.hasAttribute('agent')}
            onEscalate={(reason) => {
              this.onEscalate?.(reason)
              const detail: EscalateEventDetail = { reason, requestId: answer.requestId }
              this.dispatchEvent(
                new CustomEvent('tightloop-escalate', { detail, bubbles: true, composed: true }),
              )
            }}
          />
        )
      }
    },
  )
}
