// Simulation of issue 19's reliability rule: users of a support bot send corrections, a
// share of them careless (a reviewer would reject most of their fixes); a reviewer decides a
// random sample; the export weighs each correction by its author's reliability and drops
// what the reviewer rejected. Measures how the careless users' share of exported weight
// falls, and how much weight honest users lose.
import {
  createReliabilityModel,
  type ReliabilityOptions,
  type ReviewTally,
} from '../reliability.ts'
import { normal, seededRandom } from './random.ts'

/** Parameters of one simulated project. */
export interface ReliabilitySimOptions extends ReliabilityOptions {
  seed: number
  users?: number
  /** Share of users who are careless (default 0.2). */
  carelessShare?: number
  /** Chance a reviewer rejects a careless user's correction (0.8) and an honest one's (0.05). */
  carelessRejectRate?: number
  honestRejectRate?: number
  /** Share of corrections the reviewer decides, at random (default 0.1). */
  reviewRate?: number
  /**
   * Corrections per user are log-normal: median e^1.5 ≈ 4.5, spread σ (default 1.2: the
   * heaviest tenth of users sends about half the corrections, as in support traffic).
   */
  activitySigma?: number
}

/** What the simulation measured. */
export interface ReliabilitySimResult {
  corrections: number
  reviewed: number
  /** Careless users' share of the weight before reliability (every correction weight 1). */
  carelessShareBefore: number
  /** … and after: rejected corrections dropped, the rest weighed by reliability. */
  carelessShareAfter: number
  /** 1 − after/before of the careless share. */
  carelessShareFall: number
  /** Share of honest users' weight lost (their rejected corrections and lowered reliability). */
  honestWeightFall: number
  /** Users the model calls unreliable: careless and honest. */
  unreliable: { careless: number; honest: number }
  users: { careless: number; honest: number }
}

/**
 * Runs one simulated project.
 *
 * @example runReliabilitySim({ seed: 1 }).carelessShareFall // ≈ 0.6
 */
export function runReliabilitySim(options: ReliabilitySimOptions): ReliabilitySimResult {
  const random = seededRandom(options.seed)
  const userCount = options.users ?? 2_000
  const sigma = options.activitySigma ?? 1.2
  const reviewRate = options.reviewRate ?? 0.1
  const users = Array.from({ length: userCount }, (_, i) => {
    const careless = i < userCount * (options.carelessShare ?? 0.2)
    const rejectRate = careless
      ? (options.carelessRejectRate ?? 0.8)
      : (options.honestRejectRate ?? 0.05)
    const n = Math.max(1, Math.round(Math.exp(1.5 + sigma * normal(random))))
    const corrections = Array.from({ length: n }, () => ({
      rejectable: random() < rejectRate,
      reviewed: random() < reviewRate,
    }))
    const tally: ReviewTally = { approved: 0, rejected: 0 }
    for (const c of corrections) {
      if (c.reviewed && c.rejectable) tally.rejected++
      else if (c.reviewed) tally.approved++
    }
    return { careless, corrections, tally }
  })
  const model = createReliabilityModel(
    users.map((u) => u.tally),
    options,
  )
  const before = { careless: 0, honest: 0 }
  const after = { careless: 0, honest: 0 }
  const unreliable = { careless: 0, honest: 0 }
  const counts = { careless: 0, honest: 0 }
  let reviewed = 0
  for (const user of users) {
    const kind = user.careless ? 'careless' : 'honest'
    const { reliability, unreliable: dropped } = model.of(user.tally)
    counts[kind]++
    if (dropped) unreliable[kind]++
    for (const c of user.corrections) {
      before[kind] += 1
      if (c.reviewed) reviewed++
      if (c.reviewed && c.rejectable) continue // rejected_by_reviewer
      after[kind] += reliability
    }
  }
  const shareBefore = before.careless / (before.careless + before.honest)
  const shareAfter = after.careless / (after.careless + after.honest)
  return {
    corrections: before.careless + before.honest,
    reviewed,
    carelessShareBefore: shareBefore,
    carelessShareAfter: shareAfter,
    carelessShareFall: 1 - shareAfter / shareBefore,
    honestWeightFall: 1 - after.honest / before.honest,
    unreliable,
    users: counts,
  }
}
