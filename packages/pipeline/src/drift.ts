// Drift statistics per day and per product version: signal volumes, rates per answer shown,
// CSAT, escalation reasons and the guardrail measures of the answers themselves.
import { isTrainingSignal, SIGNALS, type StoredEvent } from '@tightloop/schema'
import {
  addInto,
  type DriftSummary,
  emptySums,
  NOT_FEEDBACK,
  type Sums,
  summarize,
} from './drift-summary.ts'
import { answerTextStats } from './text-stats.ts'
import { DAY_MS, eventTimeMs, utcDayKey } from './time.ts'

export {
  CORRECTION_RATE_BAND,
  type DriftSummary,
  fillMissingDays,
} from './drift-summary.ts'

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

const UNKNOWN_VERSION = 'unknown'
const SIGNAL_INDEX = new Map<string, number>(SIGNALS.map((s, i) => [s, i]))

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
