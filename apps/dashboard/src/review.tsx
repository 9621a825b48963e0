// The Review view: corrections waiting for a person (the prompt, the bot's answer and the
// user's fix with the changed words marked) and flagged users with their evidence. Keyboard
// first: j/k move, a approve, r reject, e edit, c confirm, d dismiss, ? lists the keys.
import { useSignal, useSignalEffect } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import {
  decide,
  fetchReview,
  type ReviewDecision,
  type ReviewItem,
  type ReviewList,
} from './review-api.ts'
import { Detail, PAST } from './review-detail.tsx'

const REVIEWER_KEY = 'tightloop.dashboard.reviewer'

const KEYS: readonly [string, string][] = [
  ['j / ↓', 'next item'],
  ['k / ↑', 'previous item'],
  ['a', 'approve the correction'],
  ['r', 'reject the correction'],
  ['e', 'edit the correction, then Ctrl+Enter to save, Esc to cancel'],
  ['c', 'confirm the flag (the user stays out of training)'],
  ['d', 'dismiss the flag (the user trains again)'],
  ['u', 'switch between corrections and flagged users'],
  ['?', 'show or hide these keys'],
]

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)

/** The review queue of the signed-in project. */
export function Review({ secretKey, storage }: { secretKey: string; storage?: Storage | null }) {
  const kind = useSignal<ReviewList['kind']>('corrections')
  const status = useSignal<ReviewList['status']>('pending')
  const list = useSignal<ReviewList | null>(null)
  const index = useSignal(0)
  const reviewer = useSignal(storage?.getItem(REVIEWER_KEY) ?? '')
  const note = useSignal('')
  const editing = useSignal<string | null>(null)
  const message = useSignal('')
  const error = useSignal('')
  const help = useSignal(false)
  const reviewerInput = useRef<HTMLInputElement>(null)
  const editor = useRef<HTMLTextAreaElement>(null)

  async function load() {
    error.value = ''
    try {
      list.value = await fetchReview(secretKey, kind.value, status.value)
      index.value = Math.min(index.value, Math.max(0, list.value.items.length - 1))
    } catch (err) {
      error.value = (err as Error).message
    }
  }
  useSignalEffect(() => {
    void kind.value
    void status.value
    index.value = 0
    void load()
  })
  useEffect(() => {
    if (editing.value !== null) editor.current?.focus()
  })

  const current = (): ReviewItem | undefined => list.value?.items[index.value]

  async function act(decision: ReviewDecision['decision'], text?: string) {
    const item = current()
    if (!item) return
    const allowed =
      item.kind === 'correction' ? ['approve', 'reject', 'edit'] : ['confirm', 'dismiss']
    if (!allowed.includes(decision)) return
    const name = reviewer.value.trim()
    if (!name) {
      error.value = 'Enter your name as the reviewer first: every decision records who made it.'
      reviewerInput.current?.focus()
      return
    }
    storage?.setItem(REVIEWER_KEY, name)
    try {
      const stored = await decide(secretKey, item, {
        decision,
        reviewer: name,
        ...(text !== undefined && { text }),
        ...(note.value.trim() && { note: note.value.trim() }),
      })
      message.value = `${item.itemId} ${PAST[decision]} by ${name}.`
      error.value = ''
      note.value = ''
      editing.value = null
      const items = list.value!.items
      if (status.value === 'pending') {
        list.value = {
          ...list.value!,
          total: list.value!.total - 1,
          items: items.filter((i) => i !== item),
        }
        index.value = Math.min(index.value, Math.max(0, items.length - 2))
      } else {
        list.value = {
          ...list.value!,
          items: items.map((i) =>
            i === item ? { ...i, version: stored.version, decision: stored } : i,
          ),
        }
      }
    } catch (err) {
      error.value = (err as Error).message
    }
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return
      const item = current()
      const keys: Record<string, () => void> = {
        j: () => (index.value = Math.min(index.value + 1, (list.value?.items.length ?? 1) - 1)),
        ArrowDown: () => keys.j!(),
        k: () => (index.value = Math.max(index.value - 1, 0)),
        ArrowUp: () => keys.k!(),
        a: () => void act('approve'),
        r: () => void act('reject'),
        e: () => {
          if (item?.kind === 'correction')
            editing.value = item.decision?.text ?? item.correction ?? ''
        },
        c: () => void act('confirm'),
        d: () => void act('dismiss'),
        u: () => (kind.value = kind.value === 'corrections' ? 'users' : 'corrections'),
        '?': () => (help.value = !help.value),
      }
      const run = keys[e.key]
      if (!run) return
      e.preventDefault()
      run()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  const item = current()
  const items = list.value?.items ?? []
  return (
    <section class="review" aria-label="Review queue">
      <div class="review-bar">
        <fieldset class="switch">
          <legend class="sr-only">Items</legend>
          {(['corrections', 'users'] as const).map((k) => (
            <button
              key={k}
              type="button"
              aria-pressed={kind.value === k}
              onClick={() => (kind.value = k)}
            >
              {k === 'corrections' ? 'Corrections' : 'Flagged users'}
            </button>
          ))}
        </fieldset>
        <label>
          Show{' '}
          <select
            value={status.value}
            onChange={(e) =>
              (status.value = (e.target as HTMLSelectElement).value as ReviewList['status'])
            }
          >
            <option value="pending">waiting for review</option>
            <option value="decided">decided</option>
          </select>
        </label>
        <label>
          Reviewer{' '}
          <input
            ref={reviewerInput}
            value={reviewer.value}
            autocomplete="name"
            onInput={(e) => {
              reviewer.value = (e.target as HTMLInputElement).value
              error.value = ''
            }}
          />
        </label>
        <label>
          Note{' '}
          <input
            value={note.value}
            onInput={(e) => (note.value = (e.target as HTMLInputElement).value)}
          />
        </label>
        <span class="remaining" role="status">
          {list.value
            ? `${list.value.total} ${status.value === 'pending' ? 'left' : 'decided'}`
            : 'Loading…'}
        </span>
        <button type="button" aria-expanded={help.value} onClick={() => (help.value = !help.value)}>
          Keys (?)
        </button>
      </div>
      {help.value && (
        <dl class="card keys" aria-label="Keyboard keys">
          {KEYS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      )}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <p class="muted" role="status" aria-live="polite">
        {message.value}
      </p>
      {list.value && items.length === 0 ? (
        <p class="card muted">
          Nothing {status.value === 'pending' ? 'waiting for review' : 'decided yet'}.
        </p>
      ) : (
        <div class="review-split">
          <ol class="card review-list" aria-label={`${kind.value}, ${status.value}`}>
            {items.map((it, i) => (
              <li key={it.itemId}>
                <button
                  type="button"
                  aria-current={i === index.value}
                  onClick={() => (index.value = i)}
                >
                  <span class="muted">{it.userId}</span>{' '}
                  {it.kind === 'correction' ? it.correction : it.reason}
                  {it.decision && <span class="tag"> {PAST[it.decision.decision]}</span>}
                </button>
              </li>
            ))}
          </ol>
          {item && (
            <Detail
              item={item}
              editing={editing.value}
              editor={editor}
              onEdit={(v) => (editing.value = v)}
              onAct={act}
            />
          )}
        </div>
      )}
    </section>
  )
}
