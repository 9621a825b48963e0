// Escalate: "Talk to a person" asks why, sends `agent_escalation`, then lets the host hand off.
import type { AnswerContext } from '@tightloop/client'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { reasonLabel } from './labels.ts'
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

/**
 * The escalation-reason dropdown. The reasons are the project's (`widget.reasons`, loaded
 * from the collector) with labels from `labels.reasons`; Escape closes it and focus returns.
 *
 * @example <Escalate widget={widget} answer={{ requestId }} onEscalate={(r) => startHandoff(r)} />
 */
export function Escalate({ widget, answer, onEscalate, agent = false }: EscalateProps) {
  const L = widget.labels.value
  const escalated = widget.state.get(answer.requestId).value.escalated
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [invalid, setInvalid] = useState(false)
  const openerRef = useRef<HTMLButtonElement>(null)
  const selectRef = useRef<HTMLSelectElement>(null)
  const focusNext = useRef<{ current: HTMLElement | null } | null>(null)
  useLayoutEffect(() => {
    focusNext.current?.current?.focus()
    focusNext.current = null
  })

  const close = () => {
    setOpen(false)
    setInvalid(false)
    focusNext.current = openerRef
  }
  const send = () => {
    if (!reason) {
      setInvalid(true)
      focusNext.current = selectRef
      return
    }
    widget.state.set(answer.requestId, { escalated: reason })
    widget.client.escalate({ ...answer, reason })
    onEscalate?.(reason)
  }

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
          ref={openerRef}
          aria-expanded={open}
          onClick={() => {
            if (open) return close()
            setOpen(true)
            focusNext.current = selectRef
          }}
        >
          {L.talkToPerson}
        </button>
      )}
      {(open || agent) && (
        <fieldset
          class="panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !agent) {
              e.preventDefault()
              close()
            }
          }}
        >
          <label class="panel">
            <span>{agent ? L.agentReasonLabel : L.escalateQuestion}</span>
            <select
              ref={selectRef}
              value={reason}
              aria-invalid={invalid}
              onChange={(e) => {
                setReason(e.currentTarget.value)
                setInvalid(false)
              }}
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
            <button type="button" class="primary" onClick={send}>
              {L.send}
            </button>
            {!agent && (
              <button type="button" onClick={close}>
                {L.cancel}
              </button>
            )}
          </div>
        </fieldset>
      )}
    </div>
  )
}
