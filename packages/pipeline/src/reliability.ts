// How far to trust each end user's corrections, learned from what reviewers decided about a
// sample of them. Each user's approval rate gets a Beta prior centred on the project's own
// rate: a user with no reviews sits exactly at the project's rate (neither trusted nor
// distrusted, weight unchanged); each review moves them, a few rejections a lot.

/** Review outcomes of one user's corrections. */
export interface ReviewTally {
  approved: number
  rejected: number
}

/** Options of {@link createReliabilityModel}. */
export interface ReliabilityOptions {
  /**
   * Weight of the prior in reviews: 2 means a user's own record counts as much as the
   * project's after two reviews. Tuned on bench/reliability-sim.ts (default 2).
   */
  priorStrength?: number
  /**
   * Below this share of the project's approval rate a user is unreliable and their
   * corrections are dropped (`unreliable_user`); default 0.8.
   */
  minRelative?: number
}

/** What the model says of one user. */
export interface UserReliability {
  /** Posterior mean of the chance a reviewer approves this user's next correction. */
  approval: number
  /** Factor on the user's export weights, in [0, 1]: approval relative to the project's. */
  reliability: number
  /** Below the project's threshold: the user's corrections do not train. */
  unreliable: boolean
}

/** A project's reliability model: its pooled approval rate and the per-user estimate. */
export interface ReliabilityModel {
  /**
   * Approved share of every review in the project. While nothing was reviewed (or nothing
   * approved) there is no rate to judge against: 1, and every user keeps weight 1.
   */
  readonly baseRate: number
  /** Reviews counted. */
  readonly reviews: number
  of(tally: ReviewTally | undefined): UserReliability
}

export const DEFAULT_PRIOR_STRENGTH = 2
export const DEFAULT_MIN_RELATIVE = 0.8

/**
 * Builds the model from every user's tally: the pooled approval rate is the prior's mean.
 *
 * @example
 * const model = createReliabilityModel(tallies.values())
 * const { reliability, unreliable } = model.of(tallies.get(userId))
 */
export function createReliabilityModel(
  tallies: Iterable<ReviewTally>,
  options: ReliabilityOptions = {},
): ReliabilityModel {
  const strength = options.priorStrength ?? DEFAULT_PRIOR_STRENGTH
  const minRelative = options.minRelative ?? DEFAULT_MIN_RELATIVE
  let approved = 0
  let reviews = 0
  for (const t of tallies) {
    approved += t.approved
    reviews += t.approved + t.rejected
  }
  // Nothing reviewed, or nothing ever approved: no rate to judge anyone against yet.
  const informed = reviews > 0 && approved > 0
  const baseRate = informed ? approved / reviews : 1
  return {
    baseRate,
    reviews,
    of(tally) {
      if (!informed) return { approval: baseRate, reliability: 1, unreliable: false }
      const a = tally?.approved ?? 0
      const r = tally?.rejected ?? 0
      const approval = (strength * baseRate + a) / (strength + a + r)
      const relative = Math.min(1, approval / baseRate)
      const unreliable = relative < minRelative
      return { approval, reliability: unreliable ? 0 : relative, unreliable }
    },
  }
}
