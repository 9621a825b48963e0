// The adversary rules' names, flag shape and thresholds (the detector is adversaries.ts).

/**
 * The detection rules.
 *
 * - `burst`: a day with far more feedback than people give (flooding thumbs-down or
 *   low CSAT to drown out honest signal). Per-user peak daily count against the population's
 *   median + k·MAD, never below an absolute floor (most users give one or two a day, so the
 *   MAD alone would flag an enthusiastic user).
 * - `repeated_correction`: one user writes near-identical corrections to different answers
 *   (planting one payload everywhere). A real correction fits its answer; a payload does not.
 * - `coordinated_correction`: the same correction text from several accounts (a sybil
 *   campaign spreading one payload thinly to stay under per-user rules).
 * - `injection`: a correction that addresses the model (instructions, jailbreak markup), or
 *   several that link outside the project's domains (SEO spam, phishing).
 * - `negative_only`: many thumbs-down and almost nothing else (≥ 90 % of the user's feedback),
 *   on answers the user was mostly never shown (a troll, or a script hitting the API). An
 *   unhappy honest user sees every answer they judge and rates or rephrases too.
 * - `slow_poisoning`: far more corrections in some rolling 7 days than the project's users
 *   write (median + k·MAD of every correcting user's own peak week, never below a floor). Catches
 *   a poisoner who spreads hundreds of varied, link-free corrections over days to stay under
 *   the daily burst floor; an honest user writes a handful a week.
 * - `reported_evidence`: evidence counted outside the event stream, passed in with
 *   `addEvidence` (e.g. `answer_mismatch`: feedback whose answer differs from the one the bot
 *   logged, i.e. a forged answer), at least `reportedMinCount` of one kind.
 * - `ring`: several of the user's corrections are near-identical (not word for word) to ones
 *   from other accounts, `ringMinAccounts` in all: a ring spreading one claim with small edits.
 * - `contradiction`: the user corrected, several times, answers (same response text) that at
 *   least `contradictMinAccepted` other users accepted (thumbs-up, CSAT 4–5, resolved) and
 *   hardly anyone else rejected.
 *
 * @example flags.filter((f) => ADVERSARY_RULES.includes(f.rule))
 */
export const ADVERSARY_RULES = [
  'burst',
  'repeated_correction',
  'coordinated_correction',
  'injection',
  'negative_only',
  'slow_poisoning',
  'reported_evidence',
  'ring',
  'contradiction',
] as const

/** A detection rule name. */
export type AdversaryRule = (typeof ADVERSARY_RULES)[number]

/** One user flagged by one rule, with the numbers behind it. */
export interface AdversaryFlag {
  userId: string
  rule: AdversaryRule
  message: string
  evidence: Record<string, number>
}

/** Thresholds of each rule; every field has a documented default. */
export interface AdversaryOptions {
  /** Floor of the burst rule: feedback events in one UTC day; default 60. */
  burstMinPerDay?: number
  /** Burst threshold above the median in MADs (scaled to σ); default 10. */
  burstMadMultiplier?: number
  /** Different answers that must get near-identical corrections; default 3. */
  repeatMinAnswers?: number
  /** Similarity (1 − edits / longer length) that counts as near-identical; default 0.85. */
  repeatMinSimilarity?: number
  /** Shorter normalised corrections ("wrong", "no") are not compared; default 16 characters. */
  repeatMinLength?: number
  /** Corrections remembered per user for comparison; default 40 (bounds memory and time). */
  repeatMemory?: number
  /**
   * Accounts that must share one correction text; default 5. At 4, templated honest fixes
   * ("open Reports, pick invoice, then press Save") coincided in the simulation.
   */
  coordinatedMinUsers?: number
  /** Hosts (and their subdomains) corrections may link to, e.g. your help centre. */
  allowedHosts?: readonly string[]
  /** Corrections with outside links before a user is flagged; default 2. */
  injectionMinLinkCorrections?: number
  /** Thumbs-down needed before `negative_only` looks at a user; default 15. */
  negativeMinThumbsDown?: number
  /** Least thumbs-down per answer shown (or per thumbs-down, if more); default 0.8. */
  negativeMinShare?: number
  /**
   * Least share of the user's feedback that is thumbs-down; default 0.85 (at 0.9 a troll with
   * 37 thumbs-down and 5 thumbs-up in the simulation got through). A share rather than
   * "no other signal at all", so one sprinkled thumbs-up does not hide a troll.
   */
  negativeMinFeedbackShare?: number
  /** Days of the slow-poisoning window; default 7. */
  slowWindowDays?: number
  /** Floor of the slow-poisoning rule: corrections in one window; default 30. */
  slowMinPerWindow?: number
  /** Slow-poisoning threshold above the median peak window in MADs (scaled to σ); default 10. */
  slowMadMultiplier?: number
  /** Reported evidence of one kind (see `addEvidence`) that flags a user; default 3. */
  reportedMinCount?: number
  /** Accounts (the user included) sharing near-identical corrections; default 5. */
  ringMinAccounts?: number
  /** The user's corrections that must have a near-identical twin elsewhere; default 2. */
  ringMinCorrections?: number
  /** Similarity for the ring rule; default 0.8. */
  ringMinSimilarity?: number
  /** Shorter normalised corrections are left out of the ring rule; default 60 characters. */
  ringMinLength?: number
  /** Other users who must have accepted an answer for a correction to contradict it; default 5. */
  contradictMinAccepted?: number
  /** Least share of accepting users among the others who judged the answer; default 0.6. */
  contradictMinShare?: number
  /** Contradicting corrections that flag a user; default 3. */
  contradictMinCorrections?: number
}

/**
 * Defaults of {@link AdversaryOptions}.
 *
 * @example DEFAULT_ADVERSARY_OPTIONS.burstMinPerDay // 60
 */
export const DEFAULT_ADVERSARY_OPTIONS: Readonly<
  Required<Omit<AdversaryOptions, 'allowedHosts'>> & { allowedHosts: readonly string[] }
> = Object.freeze({
  burstMinPerDay: 60,
  burstMadMultiplier: 10,
  repeatMinAnswers: 3,
  repeatMinSimilarity: 0.85,
  repeatMinLength: 16,
  repeatMemory: 40,
  coordinatedMinUsers: 5,
  allowedHosts: [],
  injectionMinLinkCorrections: 2,
  negativeMinThumbsDown: 15,
  negativeMinShare: 0.8,
  negativeMinFeedbackShare: 0.85,
  slowWindowDays: 7,
  slowMinPerWindow: 30,
  slowMadMultiplier: 10,
  reportedMinCount: 3,
  ringMinAccounts: 5,
  ringMinCorrections: 2,
  ringMinSimilarity: 0.8,
  ringMinLength: 60,
  contradictMinAccepted: 5,
  contradictMinShare: 0.6,
  contradictMinCorrections: 3,
})
