// What reviewers decided, applied to an export: a rejected correction does not train, an
// edited one trains with the reviewer's text, an approved or edited one is marked `reviewed`
// (weight 1: a person checked it), and every other row of a user is weighed by that user's
// reliability (reliability.ts), or dropped when the user is unreliable.
import type { StoredEvent } from '@tightloop/schema'
import type { UserReliability } from './reliability.ts'

/** A reviewer's latest decision about one correction. */
export interface ReviewedCorrection {
  decision: 'approve' | 'reject' | 'edit'
  /** The reviewer's text, for `edit`. */
  text?: string
}

/** The review side of an export's rules. */
export interface ReviewRules {
  /** Latest decision per correction, by the correction event's id. */
  corrections: ReadonlyMap<string, ReviewedCorrection>
  /** Only corrections a reviewer approved (or edited) train (project `reviewedOnly`). */
  reviewedOnly?: boolean
  /** Each user's reliability from the review outcomes of their corrections. */
  reliability?: (userId: string) => UserReliability
}

/** Why review rules dropped an event. */
export type ReviewDropReason = 'rejected_by_reviewer' | 'not_reviewed' | 'unreliable_user'

/** Every {@link ReviewDropReason}, in report order. */
export const REVIEW_DROP_REASONS: readonly ReviewDropReason[] = [
  'rejected_by_reviewer',
  'not_reviewed',
  'unreliable_user',
]

/** The weight of a correction a person approved: the strongest signal there is. */
export const REVIEWED_WEIGHT = 1

/** The verdict of the review rules on one training-signal event. */
export type ReviewVerdict =
  | { drop: ReviewDropReason }
  | { event: StoredEvent; reviewed: boolean; reliability: number | undefined }

/**
 * Applies the review rules to one event.
 *
 * @example const v = applyReview(event, rules); if ('drop' in v) count(v.drop)
 */
export function applyReview(event: StoredEvent, rules: ReviewRules): ReviewVerdict {
  let reviewed = false
  if (event.signal === 'explicit_correction') {
    const decided = rules.corrections.get(event.eventId)
    if (decided?.decision === 'reject') return { drop: 'rejected_by_reviewer' }
    if (!decided && rules.reviewedOnly) return { drop: 'not_reviewed' }
    if (decided) {
      reviewed = true
      if (decided.decision === 'edit' && decided.text) {
        event = { ...event, correctionText: decided.text } as StoredEvent
      }
    }
  }
  const user = rules.reliability?.(event.userId)
  if (!reviewed && user?.unreliable) return { drop: 'unreliable_user' }
  return { event, reviewed, reliability: user?.reliability }
}
