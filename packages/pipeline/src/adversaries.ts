// Automatic adversary detection: flags users whose feedback looks like poisoning.
//
// Flags are evidence, not verdicts: a flagged user keeps training until the project confirms
// the flag, unless it opted into auto-ban (see selectAdversaries). Each rule is named after
// the attack it catches and every flag carries the numbers that fired it.

import type { FeedbackEvent, StoredEvent } from '@tightloop/schema'
import { distance } from 'fastest-levenshtein'
import { answerKey, createContradictionTracker } from './adversary-contradiction.ts'
import {
  ADVERSARY_RULES,
  type AdversaryFlag,
  type AdversaryOptions,
  type AdversaryRule,
  DEFAULT_ADVERSARY_OPTIONS,
} from './adversary-options.ts'
import { createRingTracker } from './adversary-ring.ts'
import { peakRollingSum, utcDayNumber } from './adversary-windows.ts'
import { inspectCorrection, normalizeCorrection } from './injection.ts'
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation } from './robust-stats.ts'
import { eventTimeMs, utcDayKey } from './time.ts'

export * from './adversary-options.ts'

/** An incremental detector: add events as they come, ask for flags at any time. */
export interface AdversaryDetector {
  add(event: StoredEvent | FeedbackEvent): void
  /**
   * Adds per-user evidence counted elsewhere, e.g. `('u-42', 'answer_mismatch', 1)` for each
   * feedback event dropped because its answer differs from the bot's logged one.
   */
  addEvidence(userId: string, kind: string, count?: number): void
  flags(): AdversaryFlag[]
}

interface RememberedCorrection {
  requestId: string
  text: string
}

interface UserState {
  shown: number
  thumbsDown: number
  /** Feedback other than thumbs-down and impressions. */
  otherFeedback: number
  perDay: Map<string, number>
  corrections: RememberedCorrection[]
  /** Largest number of different answers that got one near-identical correction. */
  repeatPeak: number
  instructionCorrections: number
  linkCorrections: number
  foreignHosts: Set<string>
  /** Corrections per UTC day number (the slow-poisoning window). */
  correctionDays: Map<number, number>
  reported: Map<string, number>
}

/** Cap on the characters compared per correction, so one 32 KiB text cannot stall detection. */
const COMPARED_CHARS = 400

/**
 * Creates an incremental detector. Memory: a few counters per user, one counter per active
 * day, at most `repeatMemory` normalised corrections per user, and the set of users behind
 * each distinct normalised correction.
 *
 * @example
 * const detector = createAdversaryDetector({ allowedHosts: ['example.com'] })
 * for (const event of events) detector.add(event)
 * detector.flags() // [{ userId, rule: 'burst', message, evidence: { peakDay: 412, threshold: 60, ... } }]
 */
export function createAdversaryDetector(options: AdversaryOptions = {}): AdversaryDetector {
  const o = { ...DEFAULT_ADVERSARY_OPTIONS, ...options }
  const users = new Map<string, UserState>()
  const usersByText = new Map<string, Set<string>>()
  const ring = createRingTracker(o.ringMinLength, o.ringMinSimilarity)
  const contradictions = createContradictionTracker()
  /** The flags of the last call, until an event or evidence comes (a scan that read nothing). */
  let lastFlags: AdversaryFlag[] | null = null

  const state = (userId: string): UserState => {
    let user = users.get(userId)
    if (!user) {
      user = {
        shown: 0,
        thumbsDown: 0,
        otherFeedback: 0,
        perDay: new Map(),
        corrections: [],
        repeatPeak: 0,
        instructionCorrections: 0,
        linkCorrections: 0,
        foreignHosts: new Set(),
        correctionDays: new Map(),
        reported: new Map(),
      }
      users.set(userId, user)
    }
    return user
  }

  const addCorrection = (
    user: UserState,
    userId: string,
    requestId: string,
    raw: string,
    response: string | undefined,
  ) => {
    const inspection = inspectCorrection(raw, o.allowedHosts)
    if (inspection.instructions.length > 0) user.instructionCorrections += 1
    if (inspection.foreignHosts.length > 0) {
      user.linkCorrections += 1
      for (const host of inspection.foreignHosts) user.foreignHosts.add(host)
    }
    const text = normalizeCorrection(raw).slice(0, COMPARED_CHARS)
    ring.add(userId, response ? answerKey(response) : requestId, text)
    if (text.length < o.repeatMinLength) return
    let holders = usersByText.get(text)
    if (!holders) {
      holders = new Set()
      usersByText.set(text, holders)
    }
    holders.add(userId)

    const similarAnswers = new Set([requestId])
    for (const earlier of user.corrections) {
      if (
        earlier.requestId !== requestId &&
        isNearIdentical(earlier.text, text, o.repeatMinSimilarity)
      ) {
        similarAnswers.add(earlier.requestId)
      }
    }
    user.repeatPeak = Math.max(user.repeatPeak, similarAnswers.size)
    user.corrections.push({ requestId, text })
    if (user.corrections.length > o.repeatMemory) user.corrections.shift()
  }

  return {
    add(event) {
      lastFlags = null
      const user = state(event.userId)
      contradictions.add(event)
      if (event.signal === 'response_shown') {
        user.shown += 1
        return
      }
      if (event.signal === 'thumbs_down') user.thumbsDown += 1
      else user.otherFeedback += 1
      const time = 'receivedAt' in event ? eventTimeMs(event) : Date.parse(event.occurredAt)
      if (!Number.isNaN(time)) {
        const day = utcDayKey(time)
        user.perDay.set(day, (user.perDay.get(day) ?? 0) + 1)
      }
      if (event.signal === 'explicit_correction') {
        addCorrection(user, event.userId, event.requestId, event.correctionText, event.response)
        if (!Number.isNaN(time)) {
          const day = utcDayNumber(time)
          user.correctionDays.set(day, (user.correctionDays.get(day) ?? 0) + 1)
        }
      }
    },

    addEvidence(userId, kind, count = 1) {
      lastFlags = null
      const user = state(userId)
      user.reported.set(kind, (user.reported.get(kind) ?? 0) + count)
    },

    flags() {
      if (lastFlags) return [...lastFlags]
      const flags: AdversaryFlag[] = []
      const peaks = new Map<string, number>()
      for (const [userId, user] of users) {
        let peak = 0
        for (const n of user.perDay.values()) peak = Math.max(peak, n)
        if (peak > 0) peaks.set(userId, peak)
      }
      const peakValues = [...peaks.values()]
      const populationMedian = peakValues.length ? median(peakValues) : 0
      const populationMad = peakValues.length ? medianAbsoluteDeviation(peakValues) : 0
      const burstThreshold = Math.max(
        o.burstMinPerDay,
        populationMedian + o.burstMadMultiplier * MAD_TO_SIGMA * populationMad,
      )

      const weekPeaks = new Map<string, number>()
      for (const [userId, user] of users) {
        if (user.correctionDays.size > 0) {
          weekPeaks.set(userId, peakRollingSum(user.correctionDays, o.slowWindowDays))
        }
      }
      const weekValues = [...weekPeaks.values()]
      const weekMedian = weekValues.length ? median(weekValues) : 0
      const weekMad = weekValues.length ? medianAbsoluteDeviation(weekValues) : 0
      const slowThreshold = Math.max(
        o.slowMinPerWindow,
        weekMedian + o.slowMadMultiplier * MAD_TO_SIGMA * weekMad,
      )

      const coordinated = new Map<string, number>()
      for (const holders of usersByText.values()) {
        if (holders.size < o.coordinatedMinUsers) continue
        for (const userId of holders) {
          coordinated.set(userId, Math.max(coordinated.get(userId) ?? 0, holders.size))
        }
      }

      const rings = ring.stats()
      const contradicting = contradictions.stats(o.contradictMinAccepted, o.contradictMinShare)

      for (const [userId, user] of users) {
        const r = rings.get(userId)
        if (
          r &&
          r.sharedCorrections >= o.ringMinCorrections &&
          r.accounts + 1 >= o.ringMinAccounts
        ) {
          flags.push({
            userId,
            rule: 'ring',
            message: `${r.sharedCorrections} corrections near-identical to those of ${r.accounts} other accounts (thresholds ${o.ringMinCorrections} and ${o.ringMinAccounts - 1})`,
            evidence: {
              strength: r.accounts,
              sharedCorrections: r.sharedCorrections,
              otherAccounts: r.accounts,
              minSimilarity: o.ringMinSimilarity,
            },
          })
        }
        const c = contradicting.get(userId)
        if (c && c.contradictions >= o.contradictMinCorrections) {
          flags.push({
            userId,
            rule: 'contradiction',
            message: `${c.contradictions} of ${c.corrections} corrections contradict answers at least ${c.minAccepted} other users accepted (thresholds ${o.contradictMinCorrections}, ${o.contradictMinAccepted} users, ${o.contradictMinShare * 100} % accepting)`,
            evidence: {
              strength: c.contradictions,
              corrections: c.corrections,
              minAccepted: c.minAccepted,
              threshold: o.contradictMinCorrections,
            },
          })
        }
        const peak = peaks.get(userId) ?? 0
        if (peak > burstThreshold) {
          flags.push({
            userId,
            rule: 'burst',
            message: `${peak} feedback events in one day, above ${round(burstThreshold)} (population median ${populationMedian}, MAD ${populationMad})`,
            evidence: { peakDay: peak, threshold: burstThreshold, populationMedian, populationMad },
          })
        }
        if (user.repeatPeak >= o.repeatMinAnswers) {
          flags.push({
            userId,
            rule: 'repeated_correction',
            message: `near-identical corrections on ${user.repeatPeak} different answers (threshold ${o.repeatMinAnswers})`,
            evidence: {
              answers: user.repeatPeak,
              threshold: o.repeatMinAnswers,
              minSimilarity: o.repeatMinSimilarity,
            },
          })
        }
        const accounts = coordinated.get(userId)
        if (accounts !== undefined) {
          flags.push({
            userId,
            rule: 'coordinated_correction',
            message: `wrote a correction shared word for word by ${accounts} accounts (threshold ${o.coordinatedMinUsers})`,
            evidence: { accounts, threshold: o.coordinatedMinUsers },
          })
        }
        if (
          user.instructionCorrections > 0 ||
          user.linkCorrections >= o.injectionMinLinkCorrections
        ) {
          flags.push({
            userId,
            rule: 'injection',
            message: `${user.instructionCorrections} corrections with injected instructions, ${user.linkCorrections} with outside links (${[...user.foreignHosts].slice(0, 3).join(', ') || 'none'})`,
            evidence: {
              instructionCorrections: user.instructionCorrections,
              linkCorrections: user.linkCorrections,
              linkThreshold: o.injectionMinLinkCorrections,
            },
          })
        }
        const peakWeek = weekPeaks.get(userId) ?? 0
        if (peakWeek > slowThreshold) {
          flags.push({
            userId,
            rule: 'slow_poisoning',
            message: `${peakWeek} corrections in ${o.slowWindowDays} days, above ${round(slowThreshold)} (users' median ${weekMedian}, MAD ${weekMad})`,
            evidence: {
              strength: peakWeek,
              peakWindow: peakWeek,
              threshold: slowThreshold,
              populationMedian: weekMedian,
              populationMad: weekMad,
            },
          })
        }
        for (const [kind, n] of user.reported) {
          if (n < o.reportedMinCount) continue
          flags.push({
            userId,
            rule: 'reported_evidence',
            message: `${n} × ${kind} (threshold ${o.reportedMinCount})`,
            evidence: { strength: n, threshold: o.reportedMinCount },
          })
        }
        const share = user.thumbsDown / Math.max(user.shown, user.thumbsDown, 1)
        const feedbackShare = user.thumbsDown / Math.max(user.thumbsDown + user.otherFeedback, 1)
        if (
          user.thumbsDown >= o.negativeMinThumbsDown &&
          feedbackShare >= o.negativeMinFeedbackShare &&
          share >= o.negativeMinShare
        ) {
          flags.push({
            userId,
            rule: 'negative_only',
            message: `${user.thumbsDown} thumbs-down on ${user.shown} answers shown, ${user.otherFeedback} other feedback`,
            evidence: {
              thumbsDown: user.thumbsDown,
              shown: user.shown,
              otherFeedback: user.otherFeedback,
              share,
              feedbackShare,
              minThumbsDown: o.negativeMinThumbsDown,
              minShare: o.negativeMinShare,
              minFeedbackShare: o.negativeMinFeedbackShare,
            },
          })
        }
      }
      lastFlags = flags
      return [...flags]
    },
  }
}

/**
 * Runs the detector over a list of events.
 *
 * @example detectAdversaries(lastThirtyDays, { allowedHosts: ['example.com'] })
 */
export function detectAdversaries(
  events: Iterable<StoredEvent | FeedbackEvent>,
  options: AdversaryOptions = {},
): AdversaryFlag[] {
  const detector = createAdversaryDetector(options)
  for (const event of events) detector.add(event)
  return detector.flags()
}

/** How flags become exclusions. */
export interface AdversaryPolicy {
  /** Users a person confirmed (or the project listed by hand): always excluded. */
  confirmed?: Iterable<string>
  /** Exclude flagged users without confirmation; default false. */
  autoBan?: boolean
  /** With auto-ban, only these rules ban; default all. */
  autoBanRules?: readonly AdversaryRule[]
}

/**
 * The user set to pass to the candidacy filter: confirmed users, plus flagged ones when the
 * project opted into auto-ban. Flagged ≠ banned by default.
 *
 * @example createExportBuilder({ now, adversaries: selectAdversaries(flags, { confirmed }) })
 */
export function selectAdversaries(
  flags: readonly AdversaryFlag[],
  policy: AdversaryPolicy = {},
): Set<string> {
  const excluded = new Set(policy.confirmed ?? [])
  if (!policy.autoBan) return excluded
  const rules = new Set<AdversaryRule>(policy.autoBanRules ?? ADVERSARY_RULES)
  for (const flag of flags) if (rules.has(flag.rule)) excluded.add(flag.userId)
  return excluded
}

/** Similarity 1 − edits / longer length, at least `min`; the length gap alone may rule it out. */
function isNearIdentical(a: string, b: string, min: number): boolean {
  const longer = Math.max(a.length, b.length)
  if (longer === 0) return true
  if (1 - Math.abs(a.length - b.length) / longer < min) return false
  return 1 - distance(a, b) / longer >= min
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
