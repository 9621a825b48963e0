// Csat: the 1–5 satisfaction rating of a conversation, shown when the host asks for it.

import type { AnswerContext } from '@tightloop/client'
import { Watching } from './watching.ts'
import type { Widget } from './widget.ts'

/** Props of `Csat`. */
export interface CsatProps {
  widget: Widget
  /** What is rated: usually the conversation's last answer (its `requestId` keys the state). */
  answer: AnswerContext
}

const SCORES = [1, 2, 3, 4, 5]

/**
 * Five score buttons; one press sends `csat` and the rating is kept (reloads show it).
 *
 * @example <Csat widget={widget} answer={{ requestId: lastAnswerId }} />
 */
export class Csat extends Watching<CsatProps> {
  _watch() {
    const { widget, answer } = this.props
    return [widget.labels, widget.state.get(answer.requestId)]
  }
  override render({ widget, answer }: CsatProps) {
    const L = widget.labels.value
    const rated = widget.state.get(answer.requestId).value.csat
    const rate = (score: number) => {
      if (rated) return
      widget.state.set(answer.requestId, { csat: score })
      widget.client.csat({ ...answer, score })
    }
    return (
      <div class="tl">
        <fieldset class="bar">
          <legend>{L.csatQuestion}</legend>
          {SCORES.map((score) => (
            <button
              type="button"
              key={score}
              aria-label={`${score}: ${L.csatScores[score - 1]}`}
              aria-pressed={rated === score}
              aria-disabled={rated !== undefined && rated !== score}
              onClick={() => rate(score)}
            >
              {score}
            </button>
          ))}
          <p class="note" role="status">
            {rated ? L.csatThanks : ''}
          </p>
        </fieldset>
      </div>
    )
  }
}
