// Realistic days of support-bot traffic for a project: sessions of answers, votes, CSAT,
// corrections, escalations and resolved sessions (abandonment and rephrase are left for the
// collector to derive), a product-version change, a confirmed troll, gate decisions, and
// optionally the seed's reward-hacking trend in the last days, so the dashboard has something
// true to show.
import type { EventRow, Store } from '@tightloop/collector'
import { gateModel, type ModelMetrics, seededRandom } from '@tightloop/pipeline'
import { DEFAULT_ESCALATION_REASONS, type StoredEvent } from '@tightloop/schema'
import { makeAnswer, makeCorrection, makePrompt } from './seed-text.ts'

const DAY_MS = 86_400_000
const INSERT_BATCH = 2_000 // rows per store call: the SQLite writer's multi-row sweet spot
const TROLL = 'u-troll-seed'

/** What to generate. */
export interface SeedOptions {
  /** Days of traffic ending on the day of `now`; default 90. */
  days?: number
  /** Answers shown a day; default 10,000. */
  answersPerDay?: number
  /** The clock: the last event is a few minutes before it. Default `Date.now()`. */
  now?: number
  /**
   * Plant the reward-hacking trend this many days before `now` (answers up to 30 % shorter
   * over 14 days, thumbs-up flat, CSAT down); default 7. `null`: a clean series.
   */
  rewardHackingDaysAgo?: number | null
  /** Random seed; the same options give the same events. */
  seed?: number
}

/** What was stored. */
export interface SeedResult {
  events: number
  days: number
  firstDay: string
  lastDay: string
  versionChange: { version: string; changedAt: string }
  /** Gate decisions added (none when a previous run recorded them). */
  gateDecisions: number
}

/** How much of today a seed at `now` fills: up to five minutes before it, at least a minute. */
function todaySpan(now: number): number {
  return Math.max(60_000, now - Math.floor(now / DAY_MS) * DAY_MS - 300_000)
}

/**
 * The `answersPerDay` that gives about `answers` answers today in a seed at `now` (today is
 * filled in proportion to the hours gone, so just after midnight a day's rate gives a few).
 *
 * @example seedProject(store, id, { days: 1, answersPerDay: answersPerDayForToday(60, now), now })
 */
export function answersPerDayForToday(answers: number, now: number): number {
  return Math.ceil((answers * DAY_MS) / todaySpan(now))
}

/**
 * Generates the traffic of `days` days, oldest first, one day at a time.
 *
 * @example for (const event of generateTraffic({ days: 30, answersPerDay: 500 })) count++
 */
export function* generateTraffic(options: SeedOptions = {}): Generator<StoredEvent> {
  const o = withDefaults(options)
  const random = seededRandom(o.seed)
  const today = Math.floor(o.now / DAY_MS) * DAY_MS
  const changeAt = versionChangeAt(o)
  const users = Math.max(50, Math.round(o.answersPerDay / 4))
  let n = 0
  // A session is three answers in a row to one user; its last answer, when nothing else was
  // said about it, is marked resolved (the page calls `resolve()`) three times in four: the
  // rest the collector derives as abandoned.
  let session = { id: -1, user: '', prompt: '' }
  for (let d = o.days - 1; d >= 0; d--) {
    const dayStart = today - d * DAY_MS
    // Today only up to a few minutes ago; earlier days in full.
    const span = d === 0 ? todaySpan(o.now) : DAY_MS
    const plantStart =
      o.rewardHackingDaysAgo === null ? null : today - o.rewardHackingDaysAgo * DAY_MS
    const progress =
      plantStart === null || dayStart < plantStart
        ? 0
        : Math.min(1, (dayStart - plantStart) / DAY_MS / 14 + 1 / 14)
    const answers = Math.round(
      o.answersPerDay *
        (d === 0 ? span / DAY_MS : 1) *
        (1 + 0.08 * Math.sin((2 * Math.PI * d) / 7)),
    )
    for (let i = 0; i < answers; i++) {
      n += 1
      const occurred = dayStart + Math.floor(((i + random()) / answers) * span)
      const version = occurred >= changeAt ? 'v2' : 'v1'
      const sessionId = Math.floor(n / 3)
      const first = session.id !== sessionId
      if (first) session = { id: sessionId, user: `u-${Math.floor(random() * users)}`, prompt: '' }
      const user = session.user
      // Now and then the user asks the last question again in other words: a derived rephrase.
      const prompt =
        !first && random() < REASK_SHARE ? reask(session.prompt, random) : makePrompt(random)
      session.prompt = prompt
      const full = makeAnswer(random)
      const cut =
        progress > 0 ? full.lastIndexOf(' ', Math.round(full.length * (1 - 0.3 * progress))) : -1
      const response = cut > 20 ? `${full.slice(0, cut)}.` : full
      const base = {
        requestId: `req-${n}`,
        sessionId: `sess-${sessionId}`,
        userId: user,
        productVersion: version,
        modelVersion: version === 'v1' ? 'bot-2026-08' : 'bot-2026-11',
        prompt,
        response,
      }
      yield stored(
        { ...base, eventId: id(occurred, n, 'a'), signal: 'response_shown' },
        occurred,
        random,
      )
      const r = random()
      const later = occurred + 5_000 + Math.floor(random() * 120_000)
      const feedback = (fields: Record<string, unknown>) =>
        stored({ ...base, eventId: id(later, n, 'f'), ...fields }, later, random)
      if (r < 0.06) yield feedback({ signal: 'thumbs_up' })
      else if (r < 0.1) yield feedback({ signal: 'thumbs_down' })
      else if (r < 0.12) {
        const typo = random() < 0.15
        yield feedback({
          signal: 'explicit_correction',
          correctionText: typo
            ? response.replace(/e/, 'ee')
            : `${makeCorrection(random)} ${prompt}`,
        })
      } else if (r < 0.2) {
        const unhappy = 0.1 + 0.27 * progress
        const csat =
          random() < unhappy
            ? 1 + Math.floor(random() * 2)
            : random() < 0.15
              ? 3
              : 4 + Math.floor(random() * 2)
        yield feedback({ signal: 'csat', csat })
      } else if (r < 0.23) {
        const reason = DEFAULT_ESCALATION_REASONS[weightedReason(random)]
        yield feedback({ signal: 'agent_escalation', escalationReason: reason })
      } else if (n % 3 === 2 && random() < 0.75) {
        yield feedback({ signal: 'answer_resolved' })
      }
    }
    // A troll: a steady trickle of thumbs-down on random answers (about 2 % of feedback).
    for (let i = 0; i < Math.round(o.answersPerDay / 400); i++) {
      n += 1
      const at = dayStart + Math.floor(random() * span)
      yield stored(
        {
          eventId: id(at, n, 't'),
          signal: 'thumbs_down',
          requestId: `req-troll-${n}`,
          sessionId: `sess-troll-${d}`,
          userId: TROLL,
          productVersion: at >= changeAt ? 'v2' : 'v1',
          prompt: makePrompt(random),
          response: makeAnswer(random),
        },
        at,
        random,
      )
    }
  }
}

/**
 * Stores generated traffic in a project, plus the version change, the confirmed troll and a
 * few gate decisions. Writes through the store (as ingest does after validation), because
 * history cannot be sent with past `receivedAt` stamps through the API.
 *
 * @example await seedProject(store, project.id, { days: 90, answersPerDay: 10_000 })
 */
export async function seedProject(
  store: Store,
  projectId: string,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const o = withDefaults(options)
  const { events, first, last } = await insertTraffic(store, projectId, generateTraffic(o))

  // A second run adds no second version change, troll or gate history.
  const changedAt = new Date(versionChangeAt(o)).toISOString()
  const versions = new Set((await store.listVersionChanges(projectId)).map((v) => v.version))
  if (!versions.has('v1')) {
    await store.addVersionChange(projectId, {
      version: 'v1',
      changedAt: new Date(o.now - o.days * DAY_MS).toISOString(),
    })
  }
  if (!versions.has('v2')) await store.addVersionChange(projectId, { version: 'v2', changedAt })
  await store.upsertAdversary(projectId, {
    userId: TROLL,
    status: 'confirmed',
    reason: 'negative_only: thumbs-down on every answer, never anything else',
  })
  const baseline: ModelMetrics = { accuracy: 0.86, hallucinationRate: 0.031, p50LatencyMs: 820 }
  const candidates: [string, ModelMetrics, number][] = [
    ['bot-2026-10-rc1', { accuracy: 0.871, hallucinationRate: 0.034, p50LatencyMs: 790 }, 40],
    ['bot-2026-11', { accuracy: 0.878, hallucinationRate: 0.029, p50LatencyMs: 805 }, 20],
    ['bot-2026-11-short', { accuracy: 0.881, hallucinationRate: 0.03, p50LatencyMs: 610 }, 2],
  ]
  const gated = new Set(
    (await store.listGateDecisions(projectId)).map((g) => (g.report as { label?: string })?.label),
  )
  let gateDecisions = 0
  for (const [label, candidate, daysAgo] of candidates) {
    if (gated.has(label)) continue
    const decision = gateModel(candidate, baseline)
    await store.addGateDecision(projectId, {
      decidedAt: new Date(o.now - daysAgo * DAY_MS).toISOString(),
      promote: decision.promote,
      report: { label, candidate, baseline, thresholds: {}, checks: decision.checks },
    })
    gateDecisions += 1
  }
  return {
    events,
    days: o.days,
    firstDay: first,
    lastDay: last,
    versionChange: { version: 'v2', changedAt },
    gateDecisions,
  }
}

/**
 * Stores events as ingest would after validation, in batches; returns how many were new and
 * the first and last day seen.
 *
 * @example await insertTraffic(store, project.id, generateTraffic({ days: 1 }))
 */
export async function insertTraffic(
  store: Store,
  projectId: string,
  traffic: Iterable<StoredEvent>,
): Promise<{ events: number; first: string; last: string }> {
  let rows: EventRow[] = []
  let events = 0
  let first = ''
  let last = ''
  for (const event of traffic) {
    rows.push({
      eventId: event.eventId,
      signal: event.signal,
      requestId: event.requestId,
      userId: event.userId,
      occurredAt: Date.parse(event.occurredAt),
      receivedAt: Date.parse(event.receivedAt),
      productVersion: event.productVersion ?? null,
      event,
    })
    if (!first) first = event.occurredAt.slice(0, 10)
    last = event.occurredAt.slice(0, 10)
    if (rows.length >= INSERT_BATCH) {
      events += (await store.insertEvents(projectId, rows)).inserted
      rows = []
    }
  }
  if (rows.length) events += (await store.insertEvents(projectId, rows)).inserted
  return { events, first, last }
}

/** Share of a session's later questions that ask the one before again in other words. */
const REASK_SHARE = 0.06
const REASK_OPENINGS = ['Sorry, still stuck:', 'That did not help.', 'Again:', 'I mean,']

/** The question asked again: an opening, then the same words (lower case, no question mark). */
function reask(prompt: string, random: () => number): string {
  const opening = REASK_OPENINGS[Math.floor(random() * REASK_OPENINGS.length)]!
  return `${opening} ${prompt.toLowerCase().replace(/\?$/, '')}`
}

function withDefaults(options: SeedOptions): Required<SeedOptions> {
  return {
    days: options.days ?? 90,
    answersPerDay: options.answersPerDay ?? 10_000,
    now: options.now ?? Date.now(),
    rewardHackingDaysAgo:
      options.rewardHackingDaysAgo === undefined ? 7 : options.rewardHackingDaysAgo,
    seed: options.seed ?? 20_261_127,
  }
}

/** v2 ships 20 days before the end (or half way through a shorter series). */
function versionChangeAt(o: Required<SeedOptions>): number {
  const today = Math.floor(o.now / DAY_MS) * DAY_MS
  return today - Math.min(20, Math.floor(o.days / 2)) * DAY_MS + 9 * 3_600_000
}

function stored(
  fields: Record<string, unknown>,
  occurred: number,
  random: () => number,
): StoredEvent {
  const occurredAt = new Date(occurred).toISOString()
  const receivedAt = new Date(occurred + 200 + Math.floor(random() * 3_000)).toISOString()
  return { ...fields, occurredAt, clientOccurredAt: occurredAt, receivedAt } as StoredEvent
}

function id(at: number, n: number, kind: string): string {
  return `seed-${at.toString(36)}-${kind}${n.toString(36)}`
}

const REASON_WEIGHTS = [0.3, 0.2, 0.18, 0.14, 0.12, 0.06]
function weightedReason(random: () => number): number {
  let r = random()
  for (let i = 0; i < REASON_WEIGHTS.length; i++) {
    r -= REASON_WEIGHTS[i]!
    if (r < 0) return i
  }
  return REASON_WEIGHTS.length - 1
}
