// Escalate: "Talk to a person" asks why, sends `agent_escalation`, then lets the host hand off.
import type { AnswerContext } from '@tightloop/client'
import { createRef, type RefObject } from 'preact'
import { reasonLabel } from './labels.ts'
import { Watching } from './watching.ts'
import type { Widget } from './widget.ts'

/** Props of `Escalate`. */
export interface EscalateProps {
  widget: Widget
  /** The answer that led to the hand-off (its `requestId` keys the state). */
  answer: AnswerContext
  /** Called with the reason code once the event is queued: start the hand-off here. */
  onEscalate?: (reason: string) => void
  /** Agent console: the reason picker shows at once, for the human agent to record. */
  agent?: boolean
}

interface PickerState {
  open?: boolean
  reason?: string
  invalid?: boolean
}

/**
 * The escalation-reason dropdown. The reasons are the project's (`widget.reasons`, loaded
 * from the collector) with labels from `labels.reasons`; Escape closes it and focus returns.
 *
 * @example <Escalate widget={widget} answer={{ requestId }} onEscalate={(r) => startHandoff(r)} />
 */
export class Escalate extends Watching<EscalateProps, PickerState> {
  _opener = createRef<HTMLButtonElement>()
  _select = createRef<HTMLSelectElement>()
  _focus: RefObject<HTMLElement | null> | null = null

  _watch() {
    const { widget, answer } = this.props
    return [widget.labels, widget.reasons, widget.state.get(answer.requestId)]
  }
  override componentDidUpdate() {
    super.componentDidUpdate()
    this._focus?.current?.focus()
    this._focus = null
  }
  _show(open: boolean) {
    this._focus = open ? this._select : this._opener
    this.setState({ open, invalid: false })
  }
  _send = () => {
    const { widget, answer, onEscalate } = this.props
    const reason = this.state.reason
    if (!reason) {
      this._focus = this._select
      return this.setState({ invalid: true })
    }
    widget.state.set(answer.requestId, { escalated: reason })
    widget.client.escalate({ ...answer, reason })
    onEscalate?.(reason)
  }

  override render({ widget, answer, agent }: EscalateProps, local: PickerState) {
    const L = widget.labels.value
    const escalated = widget.state.get(answer.requestId).value.escalated
    if (escalated) {
      return (
        <div class="tl">
          <p class="note" role="status">
            {L.escalated}: {reasonLabel(L, escalated)}
          </p>
        </div>
      )
    }
    return (
      <div class="tl">
        {!agent && (
          <button
            type="button"
            ref={this._opener}
            aria-expanded={!!local.open}
            onClick={() => this._show(!local.open)}
          >
            {L.talkToPerson}
          </button>
        )}
        {(local.open || agent) && (
          <fieldset
            class="panel"
            onKeyDown={(e) => {
              if (e.key === 'Escape' && !agent) {
                e.preventDefault()
                this._show(false)
              }
            }}
          >
            <label class="panel">
              <span>{agent ? L.agentReasonLabel : L.escalateQuestion}</span>
              <select
                ref={this._select}
                value={local.reason ?? ''}
                aria-invalid={!!local.invalid}
                onChange={(e) => this.setState({ reason: e.currentTarget.value, invalid: false })}
              >
                <option value="">{L.chooseReason}</option>
                {widget.reasons.value.map((code) => (
                  <option key={code} value={code}>
                    {reasonLabel(L, code)}
                  </option>
                ))}
              </select>
            </label>
            <div class="row">
              <button type="button" class="primary" onClick={this._send}>
                {L.send}
              </button>
              {!agent && (
                <button type="button" onClick={() => this._show(false)}>
                  {L.cancel}
                </button>
              )}
            </div>
          </fieldset>
        )}
      </div>
    )
  }
}
