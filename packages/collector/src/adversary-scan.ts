// The adversary scan without a person in the path: incremental per project, run before every
// export and on a schedule, recording flags so the quarantine policy can keep them out.
import {
  type AdversaryDetector,
  type AdversaryFlag,
  type AdversaryOptions,
  createAdversaryDetector,
  normalizeAnswer,
} from '@tightloop/pipeline'
import { isTrainingSignal, type StoredEvent } from '@tightloop/schema'
import { everyProject } from './every-project.ts'
import type { AdversaryRecord, ProjectRecord, Store } from './store/types.ts'
import { notifyUsersFlagged } from './webhooks/notify.ts'

/** Reasons longer than this are cut when recorded (the admin API's own limit). */
const MAX_REASON_CHARS = 1_000
/**
 * Events received longer ago than this are settled: folded into the cached detector for good.
 * Newer ones may still be committing with an earlier `receivedAt` (batched writers, several
 * processes), so the scan remembers their ids and never adds one twice.
 */
export const SCAN_SETTLE_MS = 5 * 60_000
/** Logged answers looked up per query when the scan checks for forged answers. */
const ANSWER_BATCH = 1_000
/** Events the scan reads between two turns of the event loop (see stats-aggregates.ts). */
const EVENTS_PER_TURN = 1_000
/** How often the server scans every project by itself. */
export const DEFAULT_SCAN_EVERY_MS = 5 * 60_000

/**
 * One number per rule that grows with the evidence: what a dismissal remembers. A later scan
 * flags a dismissed user again only when one of these is higher than when dismissed.
 *
 * @example flagStrength({ rule: 'burst', evidence: { peakDay: 412 } }) // 412
 */
export function flagStrength(flag: Pick<AdversaryFlag, 'rule' | 'evidence'>): number {
  const e = flag.evidence
  switch (flag.rule) {
    case 'burst':
      return e.peakDay ?? 0
    case 'repeated_correction':
      return e.answers ?? 0
    case 'coordinated_correction':
      return e.accounts ?? 0
    case 'injection':
      return (e.instructionCorrections ?? 0) + (e.linkCorrections ?? 0)
    case 'negative_only':
      return e.thumbsDown ?? 0
    default:
      return e.strength ?? 0
  }
}

/** What recording one scan's flags changed. */
export interface RecordedFlags {
  /** Users newly recorded as flagged. */
  recorded: string[]
  /** Flagged users already listed (flagged: evidence refreshed; confirmed: untouched). */
  alreadyListed: string[]
  /** Dismissed users flagged again on new evidence. */
  reflagged: string[]
  /** Dismissed users the rules still flag on the evidence a person already dismissed. */
  stillDismissed: string[]
}

/**
 * Records a scan's flags: new users as `flagged`; a flagged user's evidence refreshed; a
 * confirmed user untouched; a dismissed user flagged again only when some rule's evidence is
 * stronger than at the dismissal (or a rule fires that did not then). Writes only what changed.
 *
 * @example await recordFlags(store, projectId, detector.flags())
 */
export async function recordFlags(
  store: Store,
  projectId: string,
  flags: readonly AdversaryFlag[],
  listedNow?: readonly AdversaryRecord[],
  now: number = Date.now(),
): Promise<RecordedFlags> {
  const byUser = new Map<string, AdversaryFlag[]>()
  for (const flag of flags) byUser.set(flag.userId, [...(byUser.get(flag.userId) ?? []), flag])
  const listed = new Map(
    (listedNow ?? (await store.listAdversaries(projectId))).map((a) => [a.userId, a]),
  )
  const out: RecordedFlags = { recorded: [], alreadyListed: [], reflagged: [], stillDismissed: [] }
  const flaggedNow: Parameters<typeof notifyUsersFlagged>[2] = []
  for (const [userId, userFlags] of byUser) {
    const existing = listed.get(userId)
    const evidence: Record<string, number> = {}
    for (const f of userFlags) evidence[f.rule] = Math.max(evidence[f.rule] ?? 0, flagStrength(f))
    if (!existing) out.recorded.push(userId)
    else if (existing.status === 'dismissed') {
      const grew = Object.entries(evidence).some(([rule, n]) => n > (existing.evidence[rule] ?? 0))
      if (!grew) {
        out.stillDismissed.push(userId)
        continue
      }
      out.reflagged.push(userId)
    } else out.alreadyListed.push(userId)
    if (existing?.status === 'confirmed') continue
    if (existing?.status === 'flagged' && sameEvidence(existing.evidence, evidence)) continue
    const reason = userFlags.map((f) => `${f.rule}: ${f.message}`).join('; ')
    await store.upsertAdversary(projectId, {
      userId,
      status: 'flagged',
      reason: reason.slice(0, MAX_REASON_CHARS),
      evidence,
    })
    if (existing?.status !== 'flagged') {
      flaggedNow.push({ userId, reason: reason.slice(0, MAX_REASON_CHARS), evidence })
    }
  }
  // Newly flagged (or flagged again after a dismissal) users go to the user_flagged webhooks.
  await notifyUsersFlagged(store, projectId, flaggedNow, now)
  return out
}

function sameEvidence(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(b)
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k])
}

/** Hosts corrections may link to without counting as spam: the project's own origins. */
export function projectHosts(project: Pick<ProjectRecord, 'allowedOrigins'>): string[] {
  const hosts: string[] = []
  for (const origin of project.allowedOrigins) {
    try {
      if (origin !== '*') hosts.push(new URL(origin).hostname.replace(/^\*\./, ''))
    } catch {
      // Not a URL: no host to allow.
    }
  }
  return hosts
}

/** A finished automatic scan of one project. */
export interface AutoScan extends RecordedFlags {
  /** Events read by this scan (only the ones new since the last). */
  eventsRead: number
  /** Events the cached detector holds in all. */
  eventsKnown: number
  flags: AdversaryFlag[]
}

/** Scans projects incrementally; one per collector process. */
export interface AdversaryScanner {
  /** Reads the events new since the last scan, runs the rules, records the flags. */
  scan(project: ProjectRecord): Promise<AutoScan>
  /**
   * Adds per-user evidence counted outside the event stream (e.g. `answer_mismatch` when a
   * feedback's answer differs from the bot's logged one); the next scan's `reported_evidence`
   * rule weighs it. Kept for the process's life, across detector rebuilds.
   */
  addEvidence(projectId: string, userId: string, kind: string, count?: number): void
  /** Events the project's running scan has read so far; undefined while none runs. */
  progress?(projectId: string): number | undefined
  /** Whether a scan of the project has finished in this process (later ones read only what is new). */
  hasScanned?(projectId: string): boolean
}

interface ProjectState {
  hostsKey: string
  detector: AdversaryDetector
  settledUntil: number
  /** Ids (and receipt times) of unsettled events already added. */
  tail: Map<string, number>
  eventsKnown: number
  running: Promise<unknown>
  finished: boolean
}

/**
 * Creates the incremental scanner: the first scan of a project reads every stored event, later
 * ones only what arrived since (a few ms on a quiet project), so it can run before every export.
 * Scans of one project run one at a time.
 *
 * @example const scanner = createAdversaryScanner(store, { now: Date.now }); await scanner.scan(project)
 */
export function createAdversaryScanner(
  store: Store,
  options: { now?: () => number; detector?: AdversaryOptions } = {},
): AdversaryScanner {
  const now = options.now ?? Date.now
  const states = new Map<string, ProjectState>()
  /** Events read by each project's running scan. */
  const reading = new Map<string, number>()
  const reported = new Map<string, { userId: string; kind: string; count: number }[]>()

  async function run(project: ProjectRecord, state: ProjectState): Promise<AutoScan> {
    const cutoff = now() - SCAN_SETTLE_MS
    let eventsRead = 0
    // Feedback whose answer differs from the logged one (the export drops it as
    // `answer_mismatch`) is evidence too: checked here, so the flag precedes the export.
    const checkAnswers = (await store.countAnswers(project.id)) > 0
    let pending: StoredEvent[] = []
    const flushMismatches = async () => {
      const batch = pending
      pending = []
      if (batch.length === 0) return
      const logged = await store.findAnswers(
        project.id,
        batch.map((e) => e.requestId),
      )
      for (const event of batch) {
        const answer = logged.get(event.requestId)
        const response = (event as { response?: string }).response
        if (answer && response && normalizeAnswer(response) !== normalizeAnswer(answer.response)) {
          state.detector.addEvidence(event.userId, 'answer_mismatch')
        }
      }
    }
    for await (const event of store.streamEvents(project.id, { since: state.settledUntil })) {
      if (state.tail.has(event.eventId)) continue
      state.detector.add(event)
      if (checkAnswers && isTrainingSignal(event.signal) && 'response' in event && event.response) {
        pending.push(event)
        if (pending.length >= ANSWER_BATCH) await flushMismatches()
      }
      eventsRead += 1
      // A cold scan reads every stored event: let other requests (ingest, health) take turns.
      if (eventsRead % EVENTS_PER_TURN === 0) {
        reading.set(project.id, eventsRead)
        await new Promise((r) => setImmediate(r))
      }
      const received = Date.parse(event.receivedAt)
      if (!(received < cutoff)) state.tail.set(event.eventId, received)
    }
    await flushMismatches()
    state.eventsKnown += eventsRead
    if (cutoff > state.settledUntil) {
      state.settledUntil = cutoff
      for (const [id, received] of state.tail) if (received < cutoff) state.tail.delete(id)
    }
    const flags = state.detector.flags()
    const recorded = await recordFlags(store, project.id, flags, undefined, now())
    state.finished = true
    return { ...recorded, eventsRead, eventsKnown: state.eventsKnown, flags }
  }

  return {
    scan(project) {
      const hosts = projectHosts(project)
      const hostsKey = hosts.sort().join(',')
      let state = states.get(project.id)
      if (!state || state.hostsKey !== hostsKey) {
        state = {
          hostsKey,
          detector: createAdversaryDetector({
            ...options.detector,
            allowedHosts: [...(options.detector?.allowedHosts ?? []), ...hosts],
          }),
          settledUntil: 0,
          tail: new Map(),
          eventsKnown: 0,
          running: Promise.resolve(),
          finished: false,
        }
        for (const r of reported.get(project.id) ?? []) {
          state.detector.addEvidence(r.userId, r.kind, r.count)
        }
        states.set(project.id, state)
      }
      const current = state
      const next = current.running
        .catch(() => {})
        .then(() => {
          reading.set(project.id, 0)
          return run(project, current)
        })
        .finally(() => reading.delete(project.id))
      current.running = next
      return next
    },

    progress(projectId) {
      return reading.get(projectId)
    },

    hasScanned(projectId) {
      return states.get(projectId)?.finished ?? false
    },

    addEvidence(projectId, userId, kind, count = 1) {
      const list = reported.get(projectId) ?? []
      list.push({ userId, kind, count })
      reported.set(projectId, list)
      states.get(projectId)?.detector.addEvidence(userId, kind, count)
    },
  }
}

/**
 * Scans every project every `everyMs` until stopped (see {@link everyProject}).
 *
 * @example const stop = scheduleAdversaryScans(scanner, store, { everyMs: DEFAULT_SCAN_EVERY_MS })
 */
export function scheduleAdversaryScans(
  scanner: AdversaryScanner,
  store: Store,
  options: { everyMs?: number; log?: (message: string, err: unknown) => void } = {},
): () => void {
  return everyProject(store, (project) => scanner.scan(project), {
    everyMs: options.everyMs ?? DEFAULT_SCAN_EVERY_MS,
    name: 'scheduled adversary scan',
    ...(options.log && { log: options.log }),
  })
}
