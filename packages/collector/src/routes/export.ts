// GET /v1/export: training rows streamed from the store under today's rules, and their counts.
//
// Raw events stay untouched: every export recomputes the rows from them with the project's
// current adversary list, version changes and TTL. The stream holds one page of events and
// one chunk of text at a time, plus the pipeline's bounded dedup window, so memory does not
// grow with the number of events.

import type { AnswerTexts, ReviewRules } from '@tightloop/pipeline'
import {
  createExportBuilder,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportStats,
  formatRow,
  type ImplicitStats,
  judgedRequestId,
  toNdjsonLine,
  type VersionChange,
} from '@tightloop/pipeline'
import { isTrainingSignal, SIGNALS, type Signal, type StoredEvent } from '@tightloop/schema'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { CollectorError } from '../errors.ts'
import { NDJSON_HEADERS } from '../ndjson.ts'
import { allowQuery } from '../query-params.ts'
import type {
  AdversaryRecord,
  ProjectRecord,
  SkippedEvent,
  Store,
  TimeRange,
} from '../store/types.ts'
import { readTimeRange } from '../time-range.ts'
import type { CollectorContext } from './context.ts'
import {
  createImplicitDeriver,
  type ImplicitRules,
  loadImplicitRules,
  withDerived,
} from './export-implicit.ts'
import { recordExportRun } from './export-lineage.ts'
import { loadReviewRules } from './export-reviews.ts'

/** Text gathered before a chunk is handed to the response: big enough that writes are cheap. */
const CHUNK_CHARS = 64 * 1024
/**
 * Events judged between two turns of the event loop. Reading SQLite and filtering are all
 * synchronous or microtasks, so without a turn a million-event export would hold the process
 * for seconds: no ingest, no health check, no timers. A turn costs about a microsecond.
 */
const EVENTS_PER_TURN = 2_000

/**
 * Training-signal events whose logged answers are looked up in one query. A page of the cursor
 * holds at most 2,000 events, so this bounds the extra memory to one page's answers.
 */
const ANSWER_LOOKUP_EVENTS = 1_000

/** Looks up logged answers by request id (the store's `findAnswers` for one project). */
export type AnswerLookup = (requestIds: readonly string[]) => Promise<Map<string, AnswerTexts>>

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** What an export is judged against, loaded once before the first event is read. */
export interface ExportRules {
  /** Export time in ms since the epoch: the TTL counts back from it. */
  now: number
  ttlDays: number
  /** Users whose feedback is excluded: confirmed adversaries, plus flagged ones under quarantine. */
  adversaries: Set<string>
  versionChanges: VersionChange[]
  /** Drop feedback about requests whose answer was never logged (project `requireAnswerLog`). */
  requireAnswerLog?: boolean
  /** Where logged answers are found; none: browser texts only (and no answer log rules). */
  answers?: AnswerLookup
  /** Feedback about answers in the frozen eval slice is held out (`eval_holdout`); default on. */
  evalHoldout: boolean
  /** What a flag does before a person decides (see {@link excludedUsers}). */
  adversaryPolicy: AdversaryPolicyName
  /** Derive abandonment and rephrase from session timelines (export-implicit.ts). */
  implicit?: ImplicitRules
  /** Reviewers' decisions and users' reliability (export-reviews.ts); none: nobody reviewed. */
  reviews?: ReviewRules
}

/** The project's adversary policy as the export applies it (auto-ban counts as quarantine). */
export type AdversaryPolicyName = ProjectRecord['adversaryPolicy']

/** The counts of a finished (or running) export: what came in, what went out, what was dropped and why. */
export interface ExportReport extends ExportStats {
  format: ExportFormat
  /** NDJSON lines written: a KTO correction gives two, a rejected-only row in dpo/openai none. */
  records: number
  /** Rows kept by the rules that the format cannot hold (rejected-only rows in dpo and openai). */
  rowsNotInFormat: number
  exportedAt: string
  range: { since: string | null; until: string | null }
  rules: {
    ttlDays: number
    adversaries: number
    versionChanges: number
    latestVersion: string | null
    /** False only when the project turned the eval holdout off: eval answers may then train. */
    evalHoldout: boolean
    adversaryPolicy: AdversaryPolicyName
  }
  /** Sessions judged and implicit signals derived; absent when the project does not derive. */
  implicit?: ImplicitStats & { sessionIdleMinutes: number; rephraseThreshold: number }
}

/** A running export: text chunks to write, and the counts so far. */
export interface ExportRun {
  chunks: AsyncIterable<string>
  report(): ExportReport
  /** Users whose events gave at least one record written so far (the run's lineage). */
  users(): ReadonlySet<string>
}

/**
 * The adversary policy in force: `quarantine` (the default) or `include-until-confirmed`.
 * The older `autoBanAdversaries: true` means quarantine whatever `adversaryPolicy` says, so a
 * project that opted into auto-ban keeps excluding flagged users.
 *
 * @example effectivePolicy(project) // 'quarantine'
 */
export function effectivePolicy(
  project: Pick<ProjectRecord, 'adversaryPolicy' | 'autoBanAdversaries'>,
): AdversaryPolicyName {
  return project.autoBanAdversaries ? 'quarantine' : project.adversaryPolicy
}

/**
 * The users an export excludes: every confirmed adversary, and flagged ones under the
 * `quarantine` policy. A dismissed flag excludes nobody.
 *
 * @example excludedUsers(await store.listAdversaries(id), effectivePolicy(project))
 */
export function excludedUsers(
  records: readonly AdversaryRecord[],
  policy: AdversaryPolicyName | boolean,
): Set<string> {
  const quarantine = policy === true || policy === 'quarantine'
  const users = new Set<string>()
  for (const r of records) {
    if (r.status === 'confirmed' || (r.status === 'flagged' && quarantine)) users.add(r.userId)
  }
  return users
}

/**
 * Loads the project's rules for an export at `now`.
 *
 * @example const rules = await loadExportRules(store, project, Date.now())
 */
export async function loadExportRules(
  store: Store,
  project: ProjectRecord,
  now: number,
): Promise<ExportRules> {
  const [adversaries, versions, answersLogged, implicit, reviews] = await Promise.all([
    store.listAdversaries(project.id),
    store.listVersionChanges(project.id),
    store.countAnswers(project.id),
    loadImplicitRules(store, project, now),
    loadReviewRules(store, project),
  ])
  const adversaryPolicy = effectivePolicy(project)
  return {
    implicit,
    now,
    ttlDays: project.ttlDays,
    adversaries: excludedUsers(adversaries, adversaryPolicy),
    versionChanges: versions.map((v) => ({ version: v.version, changedAt: v.changedAt })),
    requireAnswerLog: project.requireAnswerLog,
    // A project that logs no answers pays nothing for the join (measured: the lookups cost
    // 0.35-0.5 of runExport's speed even on an empty log, export-bench.ts at 200,000 events).
    ...(answersLogged > 0 && {
      answers: (ids: readonly string[]) => store.findAnswers(project.id, ids),
    }),
    evalHoldout: project.evalHoldout,
    adversaryPolicy,
    ...(reviews && { reviews }),
  }
}

/** Signals no rule lets train (`thumbs_up`, `response_shown`): counted, never read whole. */
const NEVER_TRAINING: readonly Signal[] = SIGNALS.filter((signal) => !isTrainingSignal(signal))

/**
 * The events an export reads: every event in `range`, with the payloads of signals that never
 * train left in the database (about three quarters of the traffic is impressions and thumbs-up).
 *
 * @example runExport(exportEvents(store, project.id, range), rules, { format: 'native' })
 */
export function exportEvents(
  store: Store,
  projectId: string,
  range: TimeRange = {},
  rules?: Pick<ExportRules, 'implicit'>,
): AsyncIterable<StoredEvent | SkippedEvent> {
  // Deriving implicit signals needs the session timeline whole: answers with their texts,
  // votes, prompts. Only what carries none of it is skipped then.
  const skip = rules?.implicit ? (['page_left'] as Signal[]) : NEVER_TRAINING
  return store.streamEventsSkipping(projectId, skip, range)
}

/**
 * Streams a project's training records in `format` from `events` (normally
 * {@link exportEvents}, or `store.streamEvents`). Used by the HTTP route and the CLI alike.
 * A skipped event is counted as dropped (`excluded_signal`) exactly as the builder would.
 *
 * @example
 * const run = runExport(exportEvents(store, id, range), rules, { format: 'dpo', range })
 * for await (const text of run.chunks) out.write(text)
 * run.report().dropped
 */
export function runExport(
  events: AsyncIterable<StoredEvent | SkippedEvent>,
  rules: ExportRules,
  options: { format: ExportFormat; range?: TimeRange },
): ExportRun {
  const { format, range = {} } = options
  const builder = createExportBuilder({
    now: rules.now,
    ttlDays: rules.ttlDays,
    adversaries: rules.adversaries,
    versionChanges: rules.versionChanges,
    requireAnswerLog: rules.requireAnswerLog === true,
    // The same salt-less hash as GET /v1/eval-slice, so the held-out rows are that slice's.
    holdOutEvalSlice: rules.evalHoldout,
    derivedImplicit: !!rules.implicit,
    ...(rules.reviews && { reviews: rules.reviews }),
  })
  const deriver =
    rules.implicit &&
    createImplicitDeriver({
      now: rules.now,
      idf: rules.implicit.idf,
      sessionIdleMs: rules.implicit.sessionIdleMs,
      rephraseThreshold: rules.implicit.rephraseThreshold,
    })
  const source = deriver ? withDerived(events, deriver) : events
  let records = 0
  let rowsNotInFormat = 0
  const users = new Set<string>()
  const skipped = new Map<Signal, number>()
  const latest = [...rules.versionChanges]
    .filter((v) => Date.parse(String(v.changedAt)) <= rules.now)
    .sort((a, b) => Date.parse(String(a.changedAt)) - Date.parse(String(b.changedAt)))
    .at(-1)

  async function* chunks(): AsyncGenerator<string> {
    let text = ''
    let sinceTurn = 0
    // Events wait here, in cursor order, until their logged answers are fetched in one query.
    let pending: StoredEvent[] = []
    const flush = async () => {
      const batch = pending
      pending = []
      const found = rules.answers
        ? await rules.answers([...new Set(batch.map(judgedRequestId))])
        : undefined
      for (const event of batch) {
        for (const row of builder.push(event, found?.get(judgedRequestId(event)))) {
          const formatted = formatRow(row, format)
          if (formatted.length === 0) rowsNotInFormat += 1
          for (const record of formatted) text += toNdjsonLine(record)
          records += formatted.length
          if (formatted.length > 0) users.add(event.userId)
        }
      }
    }
    for await (const event of source) {
      if (++sinceTurn === EVENTS_PER_TURN) {
        sinceTurn = 0
        await nextTurn()
      }
      if ('skipped' in event) {
        if (isTrainingSignal(event.signal)) throw new Error(`${event.signal} must not be skipped`)
        skipped.set(event.signal, (skipped.get(event.signal) ?? 0) + 1)
        continue
      }
      pending.push(event)
      if (pending.length >= ANSWER_LOOKUP_EVENTS) await flush()
      if (text.length >= CHUNK_CHARS) {
        yield text
        text = ''
      }
    }
    await flush()
    if (text) yield text
  }

  return {
    chunks: chunks(),
    users: () => users,
    report: () => ({
      format,
      ...withSkipped(builder.stats(), skipped),
      records,
      rowsNotInFormat,
      exportedAt: new Date(rules.now).toISOString(),
      range: {
        since: range.since === undefined ? null : new Date(range.since).toISOString(),
        until: range.until === undefined ? null : new Date(range.until).toISOString(),
      },
      rules: {
        ttlDays: rules.ttlDays,
        adversaries: rules.adversaries.size,
        versionChanges: rules.versionChanges.length,
        latestVersion: latest?.version ?? null,
        evalHoldout: rules.evalHoldout,
        adversaryPolicy: rules.adversaryPolicy,
      },
      ...(deriver &&
        rules.implicit && {
          implicit: {
            ...deriver.stats(),
            sessionIdleMinutes: rules.implicit.sessionIdleMs / 60_000,
            rephraseThreshold: rules.implicit.rephraseThreshold,
          },
        }),
    }),
  }
}

/** Adds events streamed without payload to the builder's counts, as `excluded_signal` drops. */
function withSkipped(stats: ExportStats, skipped: ReadonlyMap<Signal, number>): ExportStats {
  for (const [signal, n] of skipped) {
    stats.events += n
    stats.dropped.excluded_signal += n
    const bySignal = stats.bySignal[signal]
    bySignal.events += n
    bySignal.dropped.excluded_signal += n
  }
  return stats
}

/** Reads `?format=` (default native) and the time range. */
function readExportQuery(c: Context) {
  const format = c.req.query('format') ?? 'native'
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CollectorError(
      400,
      'invalid_query',
      `format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`,
    )
  }
  return { format: format as ExportFormat, range: readTimeRange(c) }
}

const encoder = new TextEncoder()

/**
 * The export routes, all behind the secret key:
 * - `GET /v1/export?format=native|dpo|kto|openai&since=&until=` streams NDJSON records only,
 *   so the body loads as-is in `datasets.load_dataset('json', …)`. With `&stats=trailer` one
 *   last line `{"tightloop_export_stats": {…}}` reports what the rules dropped.
 * - `GET /v1/export/stats?format=&since=&until=` runs the same export without the records and
 *   answers the counts as JSON.
 *
 * @example app.route('/', exportRoutes(ctx, secret))
 */
export function exportRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>()

  app.get('/v1/export', secret, allowQuery('format', 'since', 'until', 'stats'), async (c) => {
    const { format, range } = readExportQuery(c)
    const trailer = c.req.query('stats')
    if (trailer !== undefined && trailer !== 'trailer') {
      throw new CollectorError(400, 'invalid_query', 'stats takes only the value "trailer"')
    }
    const { project } = c.get('caller')
    await ctx.scanner.scan(project)
    const rules = await loadExportRules(ctx.store, project, ctx.now())
    const run = runExport(exportEvents(ctx.store, project.id, range, rules), rules, {
      format,
      range,
    })
    const iterator = run.chunks[Symbol.asyncIterator]()
    let done = false
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (done) return
          const next = await iterator.next()
          if (!next.done) {
            controller.enqueue(encoder.encode(next.value))
            return
          }
          done = true
          await recordExportRun(ctx.store, project.id, run, { complete: true, via: 'http' })
          if (trailer) {
            const line = `${JSON.stringify({ tightloop_export_stats: run.report() })}\n`
            controller.enqueue(encoder.encode(line))
          }
          controller.close()
        },
        async cancel() {
          await iterator.return?.(undefined)
          // Records already sent are out: the run is listed, marked incomplete.
          if (!done)
            await recordExportRun(ctx.store, project.id, run, { complete: false, via: 'http' })
          done = true
        },
      },
      { highWaterMark: 1 },
    )
    return new Response(body, {
      headers: { ...NDJSON_HEADERS, 'X-Tightloop-Export-Format': format },
    })
  })

  app.get('/v1/export/stats', secret, allowQuery('format', 'since', 'until'), async (c) => {
    const { format, range } = readExportQuery(c)
    const { project } = c.get('caller')
    await ctx.scanner.scan(project)
    const rules = await loadExportRules(ctx.store, project, ctx.now())
    const run = runExport(exportEvents(ctx.store, project.id, range, rules), rules, {
      format,
      range,
    })
    for await (const _ of run.chunks) {
      // Only the counts are wanted; the text is dropped as it is made.
    }
    return c.json(run.report())
  })

  return app
}
