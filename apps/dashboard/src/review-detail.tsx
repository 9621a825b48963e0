// One item of the review queue in full: a correction with its changed words marked, or a
// flagged user with the evidence, the reviews so far of its user, and the decision buttons.
import { diffWords } from 'diff'
import type { ReviewDecision, ReviewItem } from './review-api.ts'

/** A decision in the past tense, as the queue shows it. */
export const PAST: Record<ReviewDecision['decision'], string> = {
  approve: 'approved',
  reject: 'rejected',
  edit: 'edited and approved',
  confirm: 'confirmed',
  dismiss: 'dismissed',
}

/** The answer and the fix, word by word: removed words struck through, added ones marked. */
export function ChangedWords({ before, after }: { before: string; after: string }) {
  return (
    <p class="diff">
      {diffWords(before, after).map((part, i) =>
        part.added ? (
          <ins key={i}>{part.value}</ins>
        ) : part.removed ? (
          <del key={i}>{part.value}</del>
        ) : (
          <span key={i}>{part.value}</span>
        ),
      )}
    </p>
  )
}

/** What reviews so far say of the item's user, in words: the weight their feedback gets. */
function Reliability({ item }: { item: ReviewItem }) {
  const r = item.reliability
  if (!r) return null
  const reviews = r.approved + r.rejected
  return (
    <p class="muted reliability" data-reliability={r.reliability.toFixed(2)}>
      By <strong>{item.userId}</strong>:{' '}
      {reviews === 0
        ? 'none of their corrections reviewed yet, so trusted as the average user (weight ×1.00)'
        : `${r.approved} approved, ${r.rejected} rejected; weight ×${r.reliability.toFixed(2)}`}
      {r.unreliable && <strong class="warn"> Unreliable: their feedback does not train.</strong>}
    </p>
  )
}

export function Detail({
  item,
  editing,
  editor,
  onEdit,
  onAct,
}: {
  item: ReviewItem
  editing: string | null
  editor: { current: HTMLTextAreaElement | null }
  onEdit: (text: string | null) => void
  onAct: (decision: ReviewDecision['decision'], text?: string) => void
}) {
  const decided = item.decision && (
    <p class="muted">
      Decided: {PAST[item.decision.decision]} by {item.decision.reviewer}
      {item.decision.note ? ` (${item.decision.note})` : ''}, version {item.version}.
    </p>
  )
  if (item.kind === 'user') {
    return (
      <article class="card review-item" aria-label={`Flagged user ${item.userId}`}>
        <h2>Flagged user</h2>
        <p>
          <strong>{item.userId}</strong>: {item.reason}
        </p>
        <Reliability item={item} />
        <dl class="evidence">
          {Object.entries(item.evidence ?? {}).map(([rule, value]) => (
            <div key={rule}>
              <dt>{rule}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {decided}
        <div class="actions">
          <button type="button" onClick={() => onAct('confirm')}>
            Confirm <kbd>c</kbd>
          </button>
          <button type="button" onClick={() => onAct('dismiss')}>
            Dismiss <kbd>d</kbd>
          </button>
        </div>
      </article>
    )
  }
  const answer = item.response ?? ''
  const fix = item.decision?.text ?? item.correction ?? ''
  return (
    <article class="card review-item" aria-label={`Correction by ${item.userId}`}>
      <Reliability item={item} />
      <h2>Prompt</h2>
      <p>{item.prompt ?? <span class="muted">(not sent)</span>}</p>
      <h2>Bot's answer</h2>
      <p>{answer || <span class="muted">(not sent)</span>}</p>
      <h2>User's fix, changes marked</h2>
      {editing === null ? (
        <ChangedWords before={answer} after={fix} />
      ) : (
        <textarea
          ref={editor}
          aria-label="Your version of the correction"
          value={editing}
          onInput={(e) => onEdit((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onEdit(null)
            else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) onAct('edit', editing)
          }}
        />
      )}
      {decided}
      <div class="actions">
        {editing === null ? (
          <>
            <button type="button" onClick={() => onAct('approve')}>
              Approve <kbd>a</kbd>
            </button>
            <button type="button" onClick={() => onAct('reject')}>
              Reject <kbd>r</kbd>
            </button>
            <button type="button" onClick={() => onEdit(fix)}>
              Edit <kbd>e</kbd>
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => onAct('edit', editing)}>
              Save and approve <kbd>Ctrl+Enter</kbd>
            </button>
            <button type="button" onClick={() => onEdit(null)}>
              Cancel <kbd>Esc</kbd>
            </button>
          </>
        )}
      </div>
    </article>
  )
}
