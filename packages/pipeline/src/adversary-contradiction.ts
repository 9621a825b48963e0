// Contradictions: corrections of an answer most other users accepted. Answers are keyed by
// their normalised response text (each user has their own request id; the bot gives the same
// answer to the same question), so acceptance pools across users.
import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'
import { hash32 } from './adversary-ring.ts'
import { normalizeAnswer } from './training-row.ts'

interface AnswerVotes {
  accepted: Set<string>
  rejected: Set<string>
}

/** Per user: corrections of well-accepted answers, and of all answers. */
export interface ContradictionStats {
  contradictions: number
  corrections: number
  /** Fewest other users who accepted one of the contradicted answers. */
  minAccepted: number
}

export interface ContradictionTracker {
  add(event: StoredEvent | FeedbackEvent): void
  stats(minAccepted: number, minShare: number): Map<string, ContradictionStats>
}

/** Accepting: thumbs-up, CSAT 4–5, resolved. Rejecting: the negative signals. */
function vote(event: StoredEvent | FeedbackEvent): 'accepted' | 'rejected' | undefined {
  switch (event.signal) {
    case 'thumbs_up':
    case 'answer_resolved':
      return 'accepted'
    case 'csat':
      return event.csat >= 4 ? 'accepted' : event.csat <= 2 ? 'rejected' : undefined
    case 'thumbs_down':
    case 'explicit_correction':
    case 'agent_escalation':
      return 'rejected'
    default:
      return undefined
  }
}

/**
 * The key of an answer: two 32-bit hashes of its normalised response text.
 *
 * @example answerKey('Open  Settings.') === answerKey('Open Settings.') // true
 */
export function answerKey(response: string): string {
  const text = normalizeAnswer(response)
  return `${hash32(text, 1)}:${hash32(text, 2)}`
}

/**
 * Creates the tracker. Memory: two user sets per distinct answer judged, and the answer keys
 * each user corrected.
 *
 * @example const t = createContradictionTracker(); t.add(event); t.stats(5, 0.8)
 */
export function createContradictionTracker(): ContradictionTracker {
  const answers = new Map<string, AnswerVotes>()
  const corrected = new Map<string, string[]>()
  return {
    add(event) {
      const side = vote(event)
      const response = 'response' in event ? event.response : undefined
      if (!side || typeof response !== 'string' || response.length === 0) return
      const key = answerKey(response)
      let votes = answers.get(key)
      if (!votes) {
        votes = { accepted: new Set(), rejected: new Set() }
        answers.set(key, votes)
      }
      votes[side].add(event.userId)
      if (event.signal === 'explicit_correction') {
        const list = corrected.get(event.userId) ?? []
        list.push(key)
        corrected.set(event.userId, list)
      }
    },
    stats(minAccepted, minShare) {
      const out = new Map<string, ContradictionStats>()
      for (const [userId, keys] of corrected) {
        let contradictions = 0
        let fewest = Number.POSITIVE_INFINITY
        for (const key of keys) {
          const votes = answers.get(key)!
          const accepted = votes.accepted.size - (votes.accepted.has(userId) ? 1 : 0)
          const rejected = votes.rejected.size - (votes.rejected.has(userId) ? 1 : 0)
          if (accepted >= minAccepted && accepted / (accepted + rejected) >= minShare) {
            contradictions += 1
            fewest = Math.min(fewest, accepted)
          }
        }
        if (contradictions > 0) {
          out.set(userId, { contradictions, corrections: keys.length, minAccepted: fewest })
        }
      }
      return out
    },
  }
}
