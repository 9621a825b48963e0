// The review side of an export's rules: reviewers' latest decisions about corrections, and
// each user's reliability from them (pipeline reliability.ts and review-rules.ts).
import {
  createReliabilityModel,
  type ReviewedCorrection,
  type ReviewRules,
  type ReviewTally,
  type UserReliability,
} from '@tightloop/pipeline'
import type { ReviewDecision as ReviewDecisionRecord } from '../store/review-log.ts'
import type { ProjectRecord, Store } from '../store/types.ts'

/**
 * The project's review rules, or undefined when nobody reviewed anything and the project does
 * not train on reviewed corrections only (then exports are exactly what they were).
 *
 * @example const reviews = await loadReviewRules(store, project)
 */
export async function loadReviewRules(
  store: Store,
  project: ProjectRecord,
): Promise<ReviewRules | undefined> {
  const { corrections, reliability } = reviewOutcomes(
    await store.latestReviewDecisions(project.id),
    project.minReliability,
  )
  if (corrections.size === 0 && !project.reviewedOnly) return undefined
  return { corrections, reviewedOnly: project.reviewedOnly, reliability }
}

/** What a user's reviewed corrections say of them: the model's estimate and the tally. */
export type UserReliabilityView = UserReliability & ReviewTally

/**
 * The latest decision about each reviewed correction, and each user's reliability from them
 * (what exports weigh by, and what the review queue shows beside each user).
 *
 * @example reviewOutcomes(await store.latestReviewDecisions(projectId), 0.8).reliability('u-1')
 */
export function reviewOutcomes(
  decisions: readonly ReviewDecisionRecord[],
  minReliability: number,
): {
  corrections: Map<string, ReviewedCorrection>
  reliability: (userId: string) => UserReliabilityView
} {
  const corrections = new Map<string, ReviewedCorrection>()
  const tallies = new Map<string, ReviewTally>()
  for (const d of decisions) {
    if (!d.itemId.startsWith('c:')) continue
    if (d.decision !== 'approve' && d.decision !== 'reject' && d.decision !== 'edit') continue
    corrections.set(d.itemId.slice(2), {
      decision: d.decision,
      ...(d.text !== undefined && { text: d.text }),
    })
    const tally = tallies.get(d.userId) ?? { approved: 0, rejected: 0 }
    if (d.decision === 'reject') tally.rejected += 1
    else tally.approved += 1
    tallies.set(d.userId, tally)
  }
  const model = createReliabilityModel(tallies.values(), { minRelative: minReliability })
  return {
    corrections,
    reliability: (userId) => {
      const tally = tallies.get(userId)
      return { ...model.of(tally), approved: tally?.approved ?? 0, rejected: tally?.rejected ?? 0 }
    },
  }
}
