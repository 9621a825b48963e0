// FeedbackBar: thumbs, the optional "what was wrong?" step, and the inline edit-capture.
import type { AnswerContext } from '@tightloop/client'
import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { Pencil, Thumb } from './icons.tsx'
import type { Widget } from './widget.ts'

/** Props of `FeedbackBar`. */
export interface FeedbackBarProps {
  widget: Widget
  /** The answer; `response` is what the editor starts from (read when it opens). */
  answer: AnswerContext
  /**
   * The answer as shown. While editing it is replaced by the editor, and after a correction
   * by the corrected text. Without children the bar stands alone and the editor opens in it.
   */
  children?: ComponentChildren
  /** Offer "Edit answer" (default true). */
  editable?: boolean
}

/**
 * Feedback controls for one answer. A thumbs down opens an optional "what was wrong?" step
 * (reason chips, a comment; Skip or Escape sends the vote alone); "Edit answer" turns the
 * answer into an editor: Enter saves an `explicit_correction`, Shift+Enter is a new line,
 * Escape cancels, and focus returns to the button. State survives re-renders and reloads.
 *
 * @example <FeedbackBar widget={widget} answer={{ requestId: 'req_1', prompt, response }}>{response}</FeedbackBar>
 */
export function FeedbackBar({ widget, answer, children, editable = true }: FeedbackBarProps) {
  const L = widget.labels.value
  const { requestId } = answer
  const state = widget.state.get(requestId).value
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState('')
  const [chips, setChips] = useState<string[]>([])
  const [comment, setComment] = useState('')
  const downRef = useRef<HTMLButtonElement>(null)
  const editRef = useRef<HTMLButtonElement>(null)
  const editorRef = useRef<HTMLTextAreaElement>(null)
  const firstChipRef = useRef<HTMLButtonElement>(null)
  // Where focus goes after the next render: the opened panel, or back to its opener.
  const focusNext = useRef<{ current: HTMLElement | null } | null>(null)

  useEffect(() => widget.seen(answer), [requestId])
  useLayoutEffect(() => {
    focusNext.current?.current?.focus()
    focusNext.current = null
  })

  const set = (patch: Parameters<typeof widget.state.set>[1]) => widget.state.set(requestId, patch)
  const up = () => {
    if (state.vote === 'up') return
    set({ vote: 'up', pending: false })
    widget.client.thumbsUp(answer)
  }
  const down = () => {
    if (state.vote === 'down') return
    set({ vote: 'down', pending: true })
    focusNext.current = firstChipRef
  }
  const finishDown = (withReasons: boolean) => {
    const text = comment.trim()
    widget.client.thumbsDown({
      ...answer,
      ...(withReasons && text && { comment: text }),
      ...(withReasons &&
        chips.length && { metadata: { ...answer.metadata, wrong: chips.join(',') } }),
    })
    set({ pending: false })
    focusNext.current = downRef
  }
  const openEditor = () => {
    setDraft(state.corrected ?? answer.response ?? '')
    setEditing(true)
    focusNext.current = editorRef
  }
  const closeEditor = (save: boolean) => {
    const text = draft.trim()
    if (save && text && text !== (state.corrected ?? answer.response ?? '').trim()) {
      set({ corrected: text })
      widget.client.correct({ ...answer, correctionText: text })
    }
    setEditing(false)
    focusNext.current = editRef
  }

  const note = state.corrected ? L.edited : state.vote && !state.pending ? L.thanks : ''
  return (
    <div class="tl">
      {children !== undefined && (
        <div class="answer" hidden={editing}>
          {state.corrected ?? children}
        </div>
      )}
      {editing && (
        <div class="panel">
          <textarea
            ref={editorRef}
            aria-label={L.editorLabel}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault()
                closeEditor(true)
              } else if (e.key === 'Escape') {
                e.preventDefault()
                closeEditor(false)
              }
            }}
          />
          <div class="row">
            <button type="button" class="primary" onClick={() => closeEditor(true)}>
              {L.save}
            </button>
            <button type="button" onClick={() => closeEditor(false)}>
              {L.cancel}
            </button>
          </div>
        </div>
      )}
      <div class="bar">
        <button
          type="button"
          aria-label={L.helpful}
          title={L.helpful}
          aria-pressed={state.vote === 'up'}
          onClick={up}
        >
          <Thumb />
        </button>
        <button
          type="button"
          class="down"
          ref={downRef}
          aria-label={L.notHelpful}
          title={L.notHelpful}
          aria-pressed={state.vote === 'down'}
          onClick={down}
        >
          <Thumb />
        </button>
        {editable && (
          <button
            type="button"
            ref={editRef}
            aria-label={L.editAnswer}
            title={L.editAnswer}
            aria-expanded={editing}
            onClick={() => (editing ? closeEditor(false) : openEditor())}
          >
            <Pencil />
          </button>
        )}
        <p class="note" role="status">
          {note}
        </p>
      </div>
      {state.pending && (
        <fieldset
          class="panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault()
              finishDown(false)
            }
          }}
        >
          <legend class="note">{L.whatWasWrong}</legend>
          <div class="row">
            {Object.entries(L.wrongReasons).map(([code, label], i) => (
              <button
                type="button"
                key={code}
                ref={i === 0 ? firstChipRef : undefined}
                aria-pressed={chips.includes(code)}
                onClick={() =>
                  setChips(
                    chips.includes(code) ? chips.filter((c) => c !== code) : [...chips, code],
                  )
                }
              >
                {label}
              </button>
            ))}
          </div>
          <label class="panel">
            <span class="note">{L.commentLabel}</span>
            <textarea value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
          <div class="row">
            <button type="button" class="primary" onClick={() => finishDown(true)}>
              {L.send}
            </button>
            <button type="button" onClick={() => finishDown(false)}>
              {L.skip}
            </button>
          </div>
        </fieldset>
      )}
    </div>
  )
}
