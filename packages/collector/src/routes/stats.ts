// GET /v1/stats: drift per day and per product version, the alerts with their numbers,
// escalation reasons, training-candidate counts with what the filter dropped, gate history.
import {
  type BandedMetric,
  type BandPoint,
  CORRECTION_RATE_BAND,
  DEFAULT_DRIFT_ALERT_OPTIONS,
  type DriftAlert,
  type DriftSummary,
  detectDriftAlerts,
  driftBands,
  fillMissingDays,
  utcDayKey,
} from '@tightloop/pipeline'
import { type AdversaryScanner, createAdversaryScanner } from '../adversary-scan.ts'
import type {
  ClientDropsRecord,
  GateDecisionRecord,
  ProjectRecord,
  Store,
  TimeRange,
} from '../store/types.ts'
import { loadExportRules } from './export.ts'
import type { CandidateCounts, ProjectAggregates, StatsCache } from './stats-aggregates.ts'

const DAY_MS = 86_400_000
/**
 * A request waits this long for the aggregates; a cold start (every stored event read once,
 * ~20 µs an event) takes longer on a big project, so the request answers 202 with the
 * progress and the build goes on: the next request finds it further along or done.
 */
export const COLD_WAIT_MS = 800

/** The body of `GET /v1/stats`. Days are UTC days of each event's trusted time. */
export interface StatsReport {
  project: { id: string; name: string }
  generatedAt: string
  /** The whole UTC days reported: those overlapping `[since, until)`; null = unbounded. */
  range: { since: string | null; until: string | null }
  /** One summary per day, quiet days included, oldest first. */
  days: DriftSummary[]
  /** One summary per day and product version (`unknown` when unstamped). */
  versions: DriftSummary[]
  /** The ±2σ band of each watched metric per day, as the alert rules compute it. */
  bands: Record<BandedMetric, BandPoint[]>
  /** Every alert on a reported day, oldest first; `current` are those of the last day. */
  alerts: DriftAlert[]
  currentAlerts: DriftAlert[]
  alertOptions: typeof DEFAULT_DRIFT_ALERT_OPTIONS
  totals: {
    shown: number
    feedback: number
    correctionRate: number | null
    correctionRateBand: readonly [number, number]
    escalationReasons: Record<string, number>
    /** Events browsers reported they had to drop (queue full, refused) on the reported days. */
    clientDropped: number
  }
  /** Those drops per UTC day (days without any are left out). */
  clientDrops: ClientDropsRecord[]
  /** What the export would make of the reported days today, per signal and drop reason. */
  candidates: Omit<CandidateCounts, 'rowsLast30Days'> & {
    rowsLast30Days: number
    policy: {
      ttlDays: number
      excludedUsers: number
      versionChanges: number
      evalHoldout: boolean
      adversaryPolicy: string
    }
  }
  adversaries: { flagged: number; confirmed: number }
  gates: GateDecisionRecord[]
  /**
   * How the numbers were made: events read now, whether the settled part was built from every
   * event (`rebuilt`) or loaded from the store's snapshot (`restored`), time spent, and whether
   * the adversary scan had read every event (`adversaryScan`: `current`), or was still on its
   * first read since the collector started (`running`: the flags stored so far were used; a
   * user it flags later leaves the drift and candidate counts on the next request).
   */
  meta: {
    eventsRead: number
    rebuilt: boolean
    restored: boolean
    settledUntil: string
    computeMs: number
    adversaryScan: 'current' | 'running'
    /**
     * Abandonments and rephrases derived from the stored sessions under the project's settings
     * are counted (`derived`), still on their first derivation since the collector started
     * (`running`: none counted yet), or the project takes those browsers send (`off`).
     */
    implicitSignals: ImplicitSignalsState
  }
}

/** See {@link StatsReport.meta}. */
export type ImplicitSignalsState = 'derived' | 'running' | 'off'

/** What {@link computeStatsReport} needs. */
export interface StatsInput {
  store: Store
  /** Keeps the aggregates between calls; a fresh one reads every stored event once. */
  cache: StatsCache
  project: ProjectRecord
  now: number
  /** `since`/`until` in ms; whole UTC days overlapping them are reported. */
  range?: TimeRange
  /** Scans for adversaries first, as an export does; default a fresh scanner (a full scan). */
  scanner?: AdversaryScanner
}

/**
 * The stats report of a project, as GET /v1/stats answers it; the CLI calls it directly.
 *
 * @example const report = await computeStatsReport({ store, cache: createStatsCache(store), project, now: Date.now() })
 */
export async function computeStatsReport(input: StatsInput): Promise<StatsReport> {
  const { store, cache, project, now, range = {} } = input
  const started = performance.now()
  const window = dayWindow(range, now)
  await (input.scanner ?? createAdversaryScanner(store, { now: () => now })).scan(project)
  const derived = await cache.implicit.read(project, now)
  const flagged = await flaggedUsers(store, project.id)
  const aggregates = await cache.read(project.id, flagged, now, derived)
  const implicitSignals = derived ? 'derived' : 'off'
  return assemble(store, project, now, window, aggregates, started, {
    adversaryScan: 'current',
    implicitSignals,
  })
}

interface DayWindow {
  from: number
  to: number
}

/** Days reported when a request names no `since`: the dashboard's default view. */
export const DEFAULT_STATS_DAYS = 90
/**
 * Days before the first reported one that the alert rules read (3-day current window, 14-day
 * baseline, 30 days of validated feedback), rounded up: the series is built from no earlier.
 */
const ALERT_LOOKBACK_DAYS = 35

export function dayWindow(range: TimeRange, now: number): DayWindow {
  const to =
    range.until === undefined ? Infinity : (Math.floor((range.until - 1) / DAY_MS) + 1) * DAY_MS
  const last = Math.min(to, Math.floor(now / DAY_MS) * DAY_MS + DAY_MS)
  const from =
    range.since === undefined
      ? last - DEFAULT_STATS_DAYS * DAY_MS
      : Math.floor(range.since / DAY_MS) * DAY_MS
  return { from, to }
}

/** Every listed adversary, flagged or confirmed: the drift series counts their share. */
export async function flaggedUsers(store: Store, projectId: string): Promise<Set<string>> {
  return new Set((await store.listAdversaries(projectId)).map((a) => a.userId))
}

/** The report from the aggregates, with the project's rules as of `now`. */
export async function assemble(
  store: Store,
  project: ProjectRecord,
  now: number,
  { from, to }: DayWindow,
  aggregates: ProjectAggregates,
  started: number,
  state: Pick<StatsReport['meta'], 'adversaryScan' | 'implicitSignals'>,
): Promise<StatsReport> {
  const inRange = (d: { day: string }) => {
    const start = Date.parse(`${d.day}T00:00:00Z`)
    return start >= from && start < to
  }
  // The export's own rules, so the candidate counts are what an export would give today.
  const [rules, adversaries, gates, clientDrops] = await Promise.all([
    loadExportRules(store, project, now),
    store.listAdversaries(project.id),
    store.listGateDecisions(project.id),
    store.listClientDrops(project.id),
  ])
  const policy = { ...rules, excluded: rules.adversaries, derivedImplicit: !!rules.implicit }
  // Only the days the report and its alerts read: the cost follows the range asked for, never
  // the oldest stored event (an old database may hold events dated centuries back).
  const first = from - ALERT_LOOKBACK_DAYS * DAY_MS
  const last = Math.min(to, Math.floor(now / DAY_MS) * DAY_MS + DAY_MS)
  const inSeries = (d: { day: string }) => {
    const start = Date.parse(`${d.day}T00:00:00Z`)
    return start >= first && start < last
  }
  const all = fillMissingDays(aggregates.drift.byDay().filter(inSeries), {
    through: utcDayKey(last - DAY_MS),
  })
  const counts = aggregates.countCandidates(policy, from, to)
  const rowsLast30Days = counts.rowsLast30Days
  const alerts = detectDriftAlerts(all, { validatedLast30Days: rowsLast30Days })
  const days = all.filter(inRange)
  // Impressions and thumbs-up never train: the export counts them as excluded_signal.
  for (const signal of ['response_shown', 'thumbs_up'] as const) {
    const n = days.reduce((sum, d) => sum + d.volume[signal], 0)
    counts.bySignal[signal].events += n
    counts.bySignal[signal].dropped.excluded_signal += n
    counts.events += n
    counts.dropped.excluded_signal += n
  }
  const bands = driftBands(all)
  const lastDay = days.at(-1)?.day
  const shown = sum(days, (d) => d.shown)
  const corrections = sum(days, (d) => d.volume.explicit_correction)
  const escalationReasons: Record<string, number> = {}
  for (const d of days) {
    for (const [reason, n] of Object.entries(d.escalationReasons)) {
      escalationReasons[reason] = (escalationReasons[reason] ?? 0) + n
    }
  }

  const report: StatsReport = {
    project: { id: project.id, name: project.name },
    generatedAt: new Date(now).toISOString(),
    range: {
      since: Number.isFinite(from) ? new Date(from).toISOString() : null,
      until: Number.isFinite(to) ? new Date(to).toISOString() : null,
    },
    days,
    versions: aggregates.drift.byDayAndVersion().filter(inRange),
    bands: Object.fromEntries(
      Object.entries(bands).map(([metric, points]) => [metric, points.filter(inRange)]),
    ) as Record<BandedMetric, BandPoint[]>,
    alerts: alerts.filter(inRange),
    currentAlerts: lastDay ? alerts.filter((a) => a.day === lastDay) : [],
    alertOptions: DEFAULT_DRIFT_ALERT_OPTIONS,
    totals: {
      shown,
      feedback: sum(days, (d) => d.feedback),
      correctionRate: shown ? corrections / shown : null,
      correctionRateBand: CORRECTION_RATE_BAND,
      escalationReasons,
      clientDropped: clientDrops.filter(inRange).reduce((n, d) => n + d.dropped, 0),
    },
    clientDrops: clientDrops.filter(inRange),
    candidates: {
      ...counts,
      rowsLast30Days,
      policy: {
        ttlDays: rules.ttlDays,
        excludedUsers: rules.adversaries.size,
        versionChanges: rules.versionChanges.length,
        evalHoldout: rules.evalHoldout,
        adversaryPolicy: rules.adversaryPolicy,
      },
    },
    adversaries: {
      flagged: adversaries.filter((a) => a.status === 'flagged').length,
      confirmed: adversaries.filter((a) => a.status === 'confirmed').length,
    },
    gates: gates.filter((g) => {
      const at = Date.parse(g.decidedAt)
      return at >= from && at < to
    }),
    meta: {
      eventsRead: aggregates.eventsRead,
      rebuilt: aggregates.rebuilt,
      restored: aggregates.restored,
      settledUntil: new Date(aggregates.settledUntil).toISOString(),
      computeMs: Math.round(performance.now() - started),
      ...state,
    },
  }
  return report
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0
  for (const item of items) total += value(item)
  return total
}
