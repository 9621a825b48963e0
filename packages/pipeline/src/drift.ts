// Drift statistics per day and per product version: signal volumes, rates per answer shown,
// CSAT, escalation reasons and the guardrail measures of the answers themselves.
import {
  FACT_SIGNALS,
  isTrainingSignal,
  SIGNALS,
  type Signal,
  type StoredEvent,
} from '@tightloop/schema'
import { answerTextStats } from './text-stats.ts'
import { DAY_MS, eventTimeMs, utcDayKey } from './time.ts'

/**
 * Edits per answer shown that a healthy deployment sees: 1–3 % (the seed's figure).
 *
 * @example const [low, high] = CORRECTION_RATE_BAND // 0.01, 0.03
 */
export const CORRECTION_RATE_BAND: readonly [number, number] = [0.01, 0.03]

/** One day (of one product version, or of all when `productVersion` is null). */
export interface DriftSummary {
  day: string
  productVersion: string | null
  volume: Record<Signal, number>
  /** `response_shown` events: the denominator of every rate. */
  shown: number
  /** Every event but `response_shown` and the facts (`prompt_asked`, `page_left`, `answer_resolved`). */
  feedback: number
  /** Feedback from users in the adversary set given to the accumulator. */
  adversaryFeedback: number
  /** Training-signal events from users not in the adversary set (an upper bound of validated). */
  trainingSignals: number
  /** Per answer shown; null when nothing was shown. */
  rates: {
    thumbsUp: number | null
    thumbsDown: number | null
    correction: number | null
    /**
     * Answers that ended without a hand-off to a person or an abandoned session:
     * 1 − (escalations + abandons) / shown, floored at 0. A proxy of task completion.
     */
    taskCompletion: number | null
  }
  /** Whether the correction rate sits in {@link CORRECTION_RATE_BAND}; null without answers. */
  correctionRateInBand: boolean | null
  csat: {
    count: number
    mean: number | null
    distribution: [number, number, number, number, number]
  }
  escalationReasons: Record<string, number>
  /** Guardrails over the answers shown that day (from `response_shown` responses). */
  answers: {
    count: number
    meanLength: number | null
    meanTypeTokenRatio: number | null
    meanSpecificity: number | null
  }
}

/** Options of the drift accumulator. */
export interface DriftOptions {
  /** Users whose feedback counts as adversarial traffic. */
  adversaries?: ReadonlySet<string>
  /**
   * Keep each user's feedback per day and version, so that {@link DriftAccumulator.withAdversaries}
   * can count it as adversarial later. Memory grows with users × the days they gave feedback.
   */
  byUser?: boolean
  /** Sums to start from, as {@link DriftAccumulator.snapshot} gave them. */
  from?: DriftSnapshot
}

/** Collects drift statistics event by event; memory grows with days × versions only. */
export interface DriftAccumulator {
  add(event: StoredEvent): void
  /** One summary per day, all versions together, oldest first. */
  byDay(): DriftSummary[]
  /** One summary per day and product version (`unknown` when unstamped), oldest first. */
  byDayAndVersion(): DriftSummary[]
  /**
   * An independent copy: add a not-yet-settled tail of events to the copy and keep the
   * original for the settled part (how the collector updates its cached statistics).
   */
  fork(): DriftAccumulator
  /**
   * A copy that counts these users' feedback as adversarial, as if they had been in
   * `adversaries` from the start: how the collector applies today's adversary list to
   * aggregates built without one, so a new flag rebuilds nothing. Needs `byUser`.
   */
  withAdversaries(users: Iterable<string>): DriftAccumulator
  /**
   * A copy with `other`'s sums and per-user tallies added: how the collector joins the signals
   * it derives, kept in an accumulator of their own, to a request's copy of the settled part.
   */
  plus(other: DriftAccumulator): DriftAccumulator
  /** The sums as plain JSON data; {@link DriftOptions.from} makes an accumulator of them again. */
  snapshot(): DriftSnapshot
}

/** One cell of a {@link DriftSnapshot}: a day, a product version and its sums. */
export interface DriftSnapshotCell {
  day: string
  version: string
  volume: number[]
  adversaryFeedback: number
  trainingSignals: number
  csat: number[]
  escalations: [string, number][]
  answers: number
  length: number
  typeTokenRatio: number
  specificity: number
}

/** A user's feedback per cell (`day` NUL `version`): `[cell, feedback, training signals, …]`. */
export type DriftUserTally = [userId: string, ...cells: (string | number)[]]

/** What an accumulator has counted, as JSON data (kept by the collector between restarts). */
export interface DriftSnapshot {
  cells: DriftSnapshotCell[]
  /** With `byUser` only. */
  users?: DriftUserTally[]
}

interface Sums {
  volume: number[]
  adversaryFeedback: number
  trainingSignals: number
  csat: [number, number, number, number, number]
  escalations: Map<string, number>
  answers: number
  length: number
  typeTokenRatio: number
  specificity: number
}

const UNKNOWN_VERSION = 'unknown'
const SIGNAL_INDEX = new Map<string, number>(SIGNALS.map((s, i) => [s, i]))
/** Answers shown and the browser's facts: counted by volume, never as a user's feedback. */
const NOT_FEEDBACK = new Set<string>(['response_shown', ...FACT_SIGNALS])

/**
 * Creates a drift accumulator. Days are UTC days of each event's trusted time.
 *
 * @example
 * const drift = createDriftAccumulator({ adversaries })
 * for (const event of events) drift.add(event)
 * detectDriftAlerts(drift.byDay())
 */
export function createDriftAccumulator(options: DriftOptions = {}): DriftAccumulator {
  const cells = new Map<string, Map<string, Sums>>()
  for (const cell of options.from?.cells ?? []) {
    if (cell.volume.length !== SIGNALS.length || cell.csat.length !== 5) {
      throw new RangeError(`drift snapshot cell ${cell.day}/${cell.version} has the wrong shape`)
    }
    const { day, version, ...sums } = cell
    const versions = cells.get(day) ?? new Map<string, Sums>()
    versions.set(version, {
      ...sums,
      volume: [...cell.volume],
      csat: [...cell.csat] as Sums['csat'],
      escalations: new Map(cell.escalations),
    })
    cells.set(day, versions)
  }
  let users: UserLayers | null = null
  if (options.byUser) {
    const layer: UserLayer = new Map()
    for (const [userId, ...flat] of options.from?.users ?? []) {
      const tallies = new Map<string, Tally>()
      for (let i = 0; i + 2 < flat.length; i += 3) {
        tallies.set(String(flat[i]), [Number(flat[i + 1]), Number(flat[i + 2])])
      }
      layer.set(userId, tallies)
    }
    users = [layer]
  }
  return accumulatorOver(options.adversaries ?? new Set<string>(), cells, users)
}

/** One user's feedback per cell key (`day` NUL `version`): [feedback, training signals]. */
type Tally = [number, number]
type UserLayer = Map<string, Map<string, Tally>>
/**
 * Per-user tallies in layers: a fork shares its parent's layers (read only from then on, as
 * the collector forks the settled part per request) and writes into a new one of its own.
 */
type UserLayers = UserLayer[]

/** What {@link DriftAccumulator.plus} reads of another accumulator. */
const internals = new WeakMap<
  DriftAccumulator,
  { cells: Map<string, Map<string, Sums>>; users: UserLayers | null }
>()

function accumulatorOver(
  adversaries: ReadonlySet<string>,
  cells: Map<string, Map<string, Sums>>,
  users: UserLayers | null,
): DriftAccumulator {
  // Formatting a day key costs more than the rest of add(); consecutive events share days.
  let lastDayNumber = Number.NaN
  let lastDay = ''
  const ownUsers = users?.at(-1)
  const self: DriftAccumulator = {
    add(event) {
      const index = SIGNAL_INDEX.get(event.signal)
      if (index === undefined) return
      const time = eventTimeMs(event)
      if (Number.isNaN(time)) return
      const dayNumber = Math.floor(time / DAY_MS)
      if (dayNumber !== lastDayNumber) {
        lastDayNumber = dayNumber
        lastDay = utcDayKey(time)
      }
      const day = lastDay
      let versions = cells.get(day)
      if (!versions) {
        versions = new Map()
        cells.set(day, versions)
      }
      const version = event.productVersion ?? UNKNOWN_VERSION
      let sums = versions.get(version)
      if (!sums) {
        sums = emptySums()
        versions.set(version, sums)
      }
      sums.volume[index]! += 1
      const adversarial = adversaries.has(event.userId)
      const feedback = !NOT_FEEDBACK.has(event.signal)
      if (feedback && adversarial) sums.adversaryFeedback += 1
      if (isTrainingSignal(event.signal) && !adversarial) sums.trainingSignals += 1
      if (event.signal === 'csat') sums.csat[event.csat - 1]! += 1
      if (event.signal === 'agent_escalation') {
        sums.escalations.set(
          event.escalationReason,
          (sums.escalations.get(event.escalationReason) ?? 0) + 1,
        )
      }
      if (ownUsers && feedback) {
        let tallies = ownUsers.get(event.userId)
        if (!tallies) {
          tallies = new Map()
          ownUsers.set(event.userId, tallies)
        }
        const key = `${day}\u0000${version}`
        const tally = tallies.get(key)
        const training = isTrainingSignal(event.signal) ? 1 : 0
        if (tally) {
          tally[0] += 1
          tally[1] += training
        } else tallies.set(key, [1, training])
      }
      if (event.signal === 'response_shown' && event.response) {
        const stats = answerTextStats(event.response)
        sums.answers += 1
        sums.length += stats.length
        sums.typeTokenRatio += stats.typeTokenRatio
        sums.specificity += stats.specificity
      }
    },

    byDay() {
      return [...cells.keys()].sort().map((day) => {
        const total = emptySums()
        for (const sums of cells.get(day)!.values()) addInto(total, sums)
        return summarize(day, null, total)
      })
    },

    byDayAndVersion() {
      const out: DriftSummary[] = []
      for (const day of [...cells.keys()].sort()) {
        const versions = cells.get(day)!
        for (const version of [...versions.keys()].sort()) {
          out.push(summarize(day, version, versions.get(version)!))
        }
      }
      return out
    },

    fork() {
      return accumulatorOver(adversaries, copyCells(cells), users && [...users, new Map()])
    },

    withAdversaries(flagged) {
      if (!users) throw new Error('withAdversaries needs an accumulator made with byUser')
      const marked = [...new Set(flagged)].filter((u) => !adversaries.has(u))
      const copy = copyCells(cells)
      for (const layer of users) {
        for (const userId of marked) {
          for (const [key, [feedback, training]] of layer.get(userId) ?? []) {
            const [day, version] = key.split('\u0000') as [string, string]
            const sums = copy.get(day)?.get(version)
            if (!sums) continue
            sums.adversaryFeedback += feedback
            sums.trainingSignals -= training
          }
        }
      }
      return accumulatorOver(new Set([...adversaries, ...marked]), copy, [...users, new Map()])
    },

    plus(other) {
      const them = internals.get(other)!
      const copy = copyCells(cells)
      for (const [day, versions] of them.cells) {
        const mine = copy.get(day) ?? new Map<string, Sums>()
        copy.set(day, mine)
        for (const [version, sums] of versions) {
          const total = mine.get(version) ?? emptySums()
          mine.set(version, total)
          addInto(total, sums)
        }
      }
      const layers = users && [...users, ...(them.users ?? []), new Map()]
      return accumulatorOver(adversaries, copy, layers)
    },

    snapshot() {
      const out: DriftSnapshot = { cells: [] }
      for (const [day, versions] of cells) {
        for (const [version, sums] of versions) {
          out.cells.push({
            day,
            version,
            volume: [...sums.volume],
            adversaryFeedback: sums.adversaryFeedback,
            trainingSignals: sums.trainingSignals,
            csat: [...sums.csat],
            escalations: [...sums.escalations],
            answers: sums.answers,
            length: sums.length,
            typeTokenRatio: sums.typeTokenRatio,
            specificity: sums.specificity,
          })
        }
      }
      if (users) {
        const merged = new Map<string, (string | number)[]>()
        for (const layer of users) {
          for (const [userId, tallies] of layer) {
            const flat = merged.get(userId) ?? []
            merged.set(userId, flat)
            for (const [key, [feedback, training]] of tallies) flat.push(key, feedback, training)
          }
        }
        out.users = [...merged].map(([userId, flat]) => [userId, ...flat] as DriftUserTally)
      }
      return out
    },
  }
  internals.set(self, { cells, users })
  return self
}

function copyCells(cells: Map<string, Map<string, Sums>>): Map<string, Map<string, Sums>> {
  const copy = new Map<string, Map<string, Sums>>()
  for (const [day, versions] of cells) {
    const versionsCopy = new Map<string, Sums>()
    for (const [version, sums] of versions) {
      const clone = emptySums()
      addInto(clone, sums)
      versionsCopy.set(version, clone)
    }
    copy.set(day, versionsCopy)
  }
  return copy
}

/**
 * A consecutive daily series: the days between the first and the last summary that had no
 * events get an empty summary (no answers shown, every rate null), and so do the days after
 * the last one up to `through` (a `YYYY-MM-DD` UTC day, e.g. today). `detectDriftAlerts`
 * counts windows in days, so it wants this.
 *
 * @example detectDriftAlerts(fillMissingDays(drift.byDay(), { through: utcDayKey(Date.now()) }))
 */
export function fillMissingDays(
  series: readonly DriftSummary[],
  options: { through?: string } = {},
): DriftSummary[] {
  if (series.length === 0) return []
  const byDay = new Map(series.map((d) => [d.day, d]))
  const first = Date.parse(`${series[0]!.day}T00:00:00Z`)
  let last = Date.parse(`${series[series.length - 1]!.day}T00:00:00Z`)
  if (options.through !== undefined) {
    const through = Date.parse(`${options.through}T00:00:00Z`)
    if (Number.isNaN(through))
      throw new RangeError(`through must be a YYYY-MM-DD day, got ${options.through}`)
    last = Math.max(last, through)
  }
  const out: DriftSummary[] = []
  for (let t = first; t <= last; t += DAY_MS) {
    const day = utcDayKey(t)
    out.push(byDay.get(day) ?? summarize(day, series[0]!.productVersion, emptySums()))
  }
  return out
}

/**
 * Drift statistics of a list of events.
 *
 * @example const { byDay, byDayAndVersion } = computeDrift(events)
 */
export function computeDrift(
  events: Iterable<StoredEvent>,
  options: DriftOptions = {},
): { byDay: DriftSummary[]; byDayAndVersion: DriftSummary[] } {
  const drift = createDriftAccumulator(options)
  for (const event of events) drift.add(event)
  return { byDay: drift.byDay(), byDayAndVersion: drift.byDayAndVersion() }
}

function emptySums(): Sums {
  return {
    volume: SIGNALS.map(() => 0),
    adversaryFeedback: 0,
    trainingSignals: 0,
    csat: [0, 0, 0, 0, 0],
    escalations: new Map(),
    answers: 0,
    length: 0,
    typeTokenRatio: 0,
    specificity: 0,
  }
}

function addInto(total: Sums, sums: Sums): void {
  for (let i = 0; i < total.volume.length; i++) total.volume[i]! += sums.volume[i]!
  for (let i = 0; i < 5; i++) total.csat[i]! += sums.csat[i]!
  for (const [reason, n] of sums.escalations) {
    total.escalations.set(reason, (total.escalations.get(reason) ?? 0) + n)
  }
  total.adversaryFeedback += sums.adversaryFeedback
  total.trainingSignals += sums.trainingSignals
  total.answers += sums.answers
  total.length += sums.length
  total.typeTokenRatio += sums.typeTokenRatio
  total.specificity += sums.specificity
}

function summarize(day: string, productVersion: string | null, sums: Sums): DriftSummary {
  const volume = Object.fromEntries(SIGNALS.map((s, i) => [s, sums.volume[i]!])) as Record<
    Signal,
    number
  >
  const shown = volume.response_shown
  let feedback = 0
  for (const [i, n] of sums.volume.entries()) if (!NOT_FEEDBACK.has(SIGNALS[i]!)) feedback += n
  const perShown = (n: number) => (shown ? n / shown : null)
  const correction = perShown(volume.explicit_correction)
  const csatCount = sums.csat.reduce((a, b) => a + b, 0)
  const csatTotal = sums.csat.reduce((a, n, i) => a + n * (i + 1), 0)
  const perAnswer = (sum: number) => (sums.answers ? sum / sums.answers : null)
  return {
    day,
    productVersion,
    volume,
    shown,
    feedback,
    adversaryFeedback: sums.adversaryFeedback,
    trainingSignals: sums.trainingSignals,
    rates: {
      thumbsUp: perShown(volume.thumbs_up),
      thumbsDown: perShown(volume.thumbs_down),
      correction,
      taskCompletion: shown
        ? Math.max(0, 1 - (volume.agent_escalation + volume.session_abandon) / shown)
        : null,
    },
    correctionRateInBand:
      correction === null
        ? null
        : correction >= CORRECTION_RATE_BAND[0] && correction <= CORRECTION_RATE_BAND[1],
    csat: {
      count: csatCount,
      mean: csatCount ? csatTotal / csatCount : null,
      distribution: [...sums.csat],
    },
    escalationReasons: Object.fromEntries(sums.escalations),
    answers: {
      count: sums.answers,
      meanLength: perAnswer(sums.length),
      meanTypeTokenRatio: perAnswer(sums.typeTokenRatio),
      meanSpecificity: perAnswer(sums.specificity),
    },
  }
}
