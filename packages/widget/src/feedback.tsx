// FeedbackBar: thumbs, the optional "what was wrong?" step, and the inline edit-capture.
import { type AnswerContext, createEventIds } from '@tightloop/client'
import { type ComponentChildren, createRef, type RefObject } from 'preact'
import { Pencil, Thumb } from './icons.tsx'
import type { AnswerState } from './state.ts'
import { Watching } from './watching.ts'
import type { Widget } from './widget.ts'

let nextId: (() => string) | undefined // made at the first vote: importing costs nothing

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

interface BarState {
  editing?: boolean
  draft?: string
  chips?: string[]
  comment?: string
}

/**
 * Feedback controls for one answer. A thumbs down is sent at the click and opens an optional
 * "what was wrong?" step: each reason chip, and Send with a comment, amends that vote; Skip or
 * Escape leaves the vote alone, without reasons. "Edit answer" turns the
 * answer into an editor: Enter saves an `explicit_correction`, Shift+Enter is a new line,
 * Escape cancels, and focus returns to the button. State survives re-renders and reloads.
 *
 * @example <FeedbackBar widget={widget} answer={{ requestId: 'req_1', prompt, response }}>{response}</FeedbackBar>
 */
export class FeedbackBar extends Watching<FeedbackBarProps, BarState> {
  _down = createRef<HTMLButtonElement>()
  _edit = createRef<HTMLButtonElement>()
  _editor = createRef<HTMLTextAreaElement>()
  _firstChip = createRef<HTMLButtonElement>()
  /** Where focus goes after the next render: the opened panel, or back to its opener. */
  _focus: RefObject<HTMLElement | null> | null = null
  /** The reasons last sent for the open vote, as `_amend` compares them ('' for none). */
  _sent = ''

  _watch() {
    const { widget, answer } = this.props
    return [widget.labels, widget.state.get(answer.requestId)]
  }
  override componentDidMount() {
    super.componentDidMount()
    this.props.widget.seen(this.props.answer)
    document.addEventListener('visibilitychange', this._hidden)
    // Capturing: at the window, capturing listeners run before the client's own `pagehide`
    // (Chromium fires it before `visibilitychange` on a tab close), so its beacon carries this.
    addEventListener('pagehide', this._hidden, true)
  }
  override componentWillUnmount() {
    super.componentWillUnmount()
    document.removeEventListener('visibilitychange', this._hidden)
    removeEventListener('pagehide', this._hidden, true)
  }
  // The page going or hidden (tab closed or switched) with the step open: a comment typed and
  // not yet sent amends the vote now.
  _hidden = () => {
    if (this._state().pending && this._state().voteId)
      this._amend(this.state.chips ?? [], this.state.comment?.trim())
  }
  override componentDidUpdate() {
    super.componentDidUpdate()
    this.props.widget.seen(this.props.answer)
    this._focus?.current?.focus()
    this._focus = null
  }

  _state(): AnswerState {
    return this.props.widget.state.get(this.props.answer.requestId).value
  }
  _set(patch: AnswerState, focus?: RefObject<HTMLElement | null>) {
    this._focus = focus ?? null
    this.props.widget.state.set(this.props.answer.requestId, patch)
  }
  _up = () => {
    if (this._state().vote === 'up') return
    this._set({ vote: 'up', pending: false })
    this.props.widget.client.thumbsUp(this.props.answer)
  }
  // The vote is queued at the click, under an id made here; the reasons given afterwards go
  // as thumbs_down events that amend it (`amends`): the collector keeps one row, the latest
  // reasons on it. So leaving with the panel open loses nothing chosen.
  _downClick = () => {
    if (this._state().vote === 'down') return
    nextId ??= createEventIds(Date.now, Math.random)
    const voteId = nextId()
    this._sent = ''
    this._set({ vote: 'down', pending: true, voteId }, this._firstChip)
    this.props.widget.client.thumbsDown({ ...this.props.answer, eventId: voteId })
  }
  /**
   * Sends the reasons as they stand now, unless the collector already has exactly these.
   * Without a `voteId` (a step left open by a widget from before votes were sent at the click)
   * the vote itself was never sent: this sends it, reasons and all, as that widget did.
   */
  _amend(chips: string[], comment?: string) {
    const { answer, widget } = this.props
    const { voteId } = this._state()
    const given = JSON.stringify([chips, comment ?? ''])
    if (voteId && given === (this._sent || '[[],""]')) return
    this._sent = given
    widget.client.thumbsDown({
      ...answer,
      ...(voteId && { amends: voteId }),
      ...(comment && { comment }),
      ...(chips.length && { metadata: { ...answer.metadata, wrong: chips.join(',') } }),
    })
  }
  _toggleChip(code: string) {
    const was = this.state.chips ?? []
    const chips = was.includes(code) ? was.filter((c) => c !== code) : [...was, code]
    this.setState({ chips })
    if (this._state().voteId) this._amend(chips)
  }
  /** Send (`withReasons`), or Skip and Escape: the vote alone, reasons chosen so far withdrawn. */
  _finishDown(withReasons: boolean) {
    const text = this.state.comment?.trim()
    this._amend(withReasons ? (this.state.chips ?? []) : [], withReasons ? text : undefined)
    this.setState({ chips: [], comment: '' })
    this._set({ pending: false }, this._down)
  }
  _toggleEditor = () => {
    if (this.state.editing) return this._closeEditor(false)
    const draft = this._state().corrected ?? this.props.answer.response ?? ''
    this._focus = this._editor
    this.setState({ editing: true, draft })
  }
  _closeEditor(save: boolean) {
    const { answer, widget } = this.props
    const text = this.state.draft?.trim()
    if (save && text && text !== (this._state().corrected ?? answer.response ?? '').trim()) {
      this._set({ corrected: text })
      widget.client.correct({ ...answer, correctionText: text })
    }
    this._focus = this._edit
    this.setState({ editing: false })
  }

  override render({ widget, children, editable = true }: FeedbackBarProps, local: BarState) {
    const L = widget.labels.value
    const state = this._state()
    const chips = local.chips ?? []
    const note = state.corrected ? L.edited : state.vote && !state.pending ? L.thanks : ''
    return (
      <div class="tl">
        {children !== undefined && (
          <div class="answer" hidden={local.editing}>
            {state.corrected ?? children}
          </div>
        )}
        {local.editing && (
          <div class="panel">
            <textarea
              ref={this._editor}
              aria-label={L.editorLabel}
              value={local.draft}
              onInput={(e) => this.setState({ draft: e.currentTarget.value })}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault()
                  this._closeEditor(true)
                } else if (e.key === 'Escape') {
                  e.preventDefault()
                  this._closeEditor(false)
                }
              }}
            />
            <div class="row">
              <button type="button" class="primary" onClick={() => this._closeEditor(true)}>
                {L.save}
              </button>
              <button type="button" onClick={() => this._closeEditor(false)}>
                {L.cancel}
              </button>
            </div>
          </div>
        )}
        <div class="bar">
          <button
            type="button"
            aria-label={L.helpful}
            aria-pressed={state.vote === 'up'}
            onClick={this._up}
          >
            <Thumb />
          </button>
          <button
            type="button"
            class="down"
            ref={this._down}
            aria-label={L.notHelpful}
            aria-pressed={state.vote === 'down'}
            onClick={this._downClick}
          >
            <Thumb />
          </button>
          {editable && (
            <button
              type="button"
              ref={this._edit}
              aria-label={L.editAnswer}
              aria-expanded={!!local.editing}
              onClick={this._toggleEditor}
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
                this._finishDown(false)
              }
            }}
          >
            <legend class="note">{L.whatWasWrong}</legend>
            <div class="row">
              {Object.entries(L.wrongReasons).map(([code, label], i) => (
                <button
                  type="button"
                  key={code}
                  ref={i === 0 ? this._firstChip : undefined}
                  aria-pressed={chips.includes(code)}
                  onClick={() => this._toggleChip(code)}
                >
                  {label}
                </button>
              ))}
            </div>
            <label class="panel">
              <span class="note">{L.commentLabel}</span>
              <textarea
                value={local.comment ?? ''}
                onInput={(e) => this.setState({ comment: e.currentTarget.value })}
              />
            </label>
            <div class="row">
              <button type="button" class="primary" onClick={() => this._finishDown(true)}>
                {L.send}
              </button>
              <button type="button" onClick={() => this._finishDown(false)}>
                {L.skip}
              </button>
            </div>
          </fieldset>
        )}
      </div>
    )
  }
}
