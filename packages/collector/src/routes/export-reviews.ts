// The review side of an export's rules: reviewers' latest decisions about corrections, and
// each user's reliability from them (pipeline reliability.ts and review-rules.ts).
import {
  createReliabilityModel,
  type ReviewedCorrection,
  type ReviewRules,
  type ReviewTally,
} from '@tightloop/pipeline'
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
  const decisions = await store.latestReviewDecisions(project.id)
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
  if (corrections.size === 0 && !project.reviewedOnly) return undefined
  const model = createReliabilityModel(tallies.values(), {
    minRelative: project.minReliability,
  })
  return {
    corrections,
    reviewedOnly: project.reviewedOnly,
    reliability: (userId) => model.of(tallies.get(userId)),
  }
}
