// The stats aggregates kept in the store: a fresh collector (a restart, another process, after
// `tightloop seed`) loads them and reads only what arrived since; a backfill behind them, an
// erasure or another format makes it read every event again. On a real SQLite file and on a
// real PostgreSQL schema when TIGHTLOOP_TEST_POSTGRES names one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FeedbackEvent } from '@tightloop/schema'
import { afterEach, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../store/postgres.ts'
import { createSqliteStore } from '../store/sqlite.ts'
import { rowOf } from '../store/store.contract.ts'
import type { ProjectRecord, Store } from '../store/types.ts'
import { createTestSchema, makeEvent } from '../testing.ts'
import { computeStatsReport, type StatsReport } from './stats.ts'
import { createStatsCache, type StatsCacheOptions } from './stats-aggregates.ts'
import { SNAPSHOT_FORMAT } from './stats-snapshot.ts'

const DAY_MS = 86_400_000
const NOW = Date.parse('2026-11-20T12:00:00Z')
const POSTGRES_URL = process.env.TIGHTLOOP_TEST_POSTGRES
const ENGINES = ['sqlite', ...(POSTGRES_URL ? ['postgres'] : [])] as const

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function open(engine: (typeof ENGINES)[number]): Promise<Store> {
  if (engine === 'postgres') {
    const schema = await createTestSchema(POSTGRES_URL!)
    const store = createPostgresStore(schema.url, { maxConnections: 4 })
    cleanups.push(
      () => schema.drop(),
      () => store.close(),
    )
    await store.migrate()
    return store
  }
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-snapshot-'))
  const store = createSqliteStore(join(dir, 'db.sqlite'))
  cleanups.push(
    async () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
  )
  await store.migrate()
  return store
}

/** Three days of answers and feedback from 12 users, received a day or more before NOW. */
function traffic(prefix: string, daysAgo: number[]): FeedbackEvent[] {
  const events: FeedbackEvent[] = []
  for (const ago of daysAgo) {
    const at = new Date(NOW - ago * DAY_MS - 3_600_000).toISOString()
    for (let i = 0; i < 40; i++) {
      const user = { userId: `${prefix}-u${i % 12}`, requestId: `${prefix}-${ago}-${i}` }
      events.push(makeEvent('response_shown', { ...user, occurredAt: at }))
      if (i % 4 === 0) events.push(makeEvent('thumbs_down', { ...user, occurredAt: at }))
      if (i % 10 === 1) events.push(makeEvent('thumbs_up', { ...user, occurredAt: at }))
      if (i % 8 === 2) {
        const text = `${prefix} ${ago} ${i}: the refund reaches your card within 5 business days.`
        events.push(
          makeEvent('explicit_correction', { ...user, occurredAt: at, correctionText: text }),
        )
      }
    }
  }
  return events
}

async function insert(store: Store, project: ProjectRecord, events: FeedbackEvent[]) {
  await store.insertEvents(
    project.id,
    events.map((e) => rowOf(e, Date.parse(e.occurredAt) + 60_000)),
  )
}

const options: StatsCacheOptions = { snapshotMinEvents: 1 }

async function report(
  store: Store,
  project: ProjectRecord,
  cache = createStatsCache(store, options),
) {
  return computeStatsReport({ store, cache, project, now: NOW })
}

/** The report without what says how it was made. */
const numbers = ({ meta: _meta, generatedAt: _at, ...rest }: StatsReport) => rest

async function snapshotWritten(store: Store, projectId: string, events: number) {
  for (let i = 0; i < 200; i++) {
    const snapshot = await store.readStatsSnapshot(projectId)
    if (snapshot && snapshot.events >= events) return snapshot
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('no stats snapshot was written')
}

describe.each(ENGINES)('stats snapshots on %s', (engine) => {
  it('loads the aggregates a build left in the store and reads only what came after', async () => {
    const store = await open(engine)
    const project = await store.createProject({ name: 'p', allowedOrigins: ['*'] })
    await insert(store, project, traffic('a', [3, 2, 1]))
    await store.upsertAdversary(project.id, { userId: 'a-u1', status: 'confirmed', reason: 'test' })
    const stored = await store.countEvents(project.id)
    const first = await report(store, project)
    expect(first.meta).toMatchObject({ rebuilt: true, restored: false, eventsRead: stored })
    const snapshot = await snapshotWritten(store, project.id, stored)
    expect(snapshot).toMatchObject({ format: SNAPSHOT_FORMAT, erasureMark: 0 })

    // A fresh collector: nothing read but the (empty) unsettled tail, the same numbers.
    const restarted = await report(store, project)
    expect(restarted.meta).toMatchObject({ rebuilt: false, restored: true, eventsRead: 0 })
    expect(numbers(restarted)).toEqual(numbers(first))
    expect(restarted.days.at(-2)!.adversaryFeedback).toBeGreaterThan(0)

    // A user flagged afterwards: applied to the loaded aggregates, nothing rebuilt.
    const listed = new Set((await store.listAdversaries(project.id)).map((a) => a.userId))
    const honest = Array.from({ length: 12 }, (_, i) => `a-u${i}`).find((u) => !listed.has(u))!
    await store.upsertAdversary(project.id, { userId: honest, status: 'flagged', reason: 'test' })
    const cache = createStatsCache(store, options)
    const flagged = await report(store, project, cache)
    expect(flagged.meta).toMatchObject({ rebuilt: false, restored: true })
    const fresh = await report(store, project, createStatsCache(store, { snapshots: false }))
    expect(fresh.meta.rebuilt).toBe(true)
    expect(numbers(flagged)).toEqual(numbers(fresh))
    expect(flagged.adversaries.flagged).toBeGreaterThan(0)
    expect(flagged.days.at(-2)!.adversaryFeedback).toBeGreaterThan(
      restarted.days.at(-2)!.adversaryFeedback,
    )
  })

  it('reads every event again after a backfill behind it, an erasure, or another format', async () => {
    const store = await open(engine)
    const project = await store.createProject({ name: 'p', allowedOrigins: ['*'] })
    await insert(store, project, traffic('a', [3, 2]))
    await report(store, project)
    await snapshotWritten(store, project.id, await store.countEvents(project.id))

    // Events stored later with older receipt times (a seed, an import): the count says so.
    await insert(store, project, traffic('b', [5, 4]))
    const all = await store.countEvents(project.id)
    const backfilled = await report(store, project)
    expect(backfilled.meta).toMatchObject({ rebuilt: true, restored: false })
    expect(numbers(backfilled)).toEqual(
      numbers(await report(store, project, createStatsCache(store, { snapshots: false }))),
    )
    await snapshotWritten(store, project.id, all)

    // An erasure deletes the snapshot (it holds user ids); the next build leaves the user out.
    const erased = await store.eraseUser(project.id, 'b-u3', NOW)
    expect(erased.events).toBeGreaterThan(0)
    expect(await store.readStatsSnapshot(project.id)).toBeNull()
    const after = await report(store, project)
    expect(after.meta).toMatchObject({ rebuilt: true, eventsRead: all - erased.events })

    // A snapshot of another format (an older collector's) is ignored.
    const current = await snapshotWritten(store, project.id, all - erased.events)
    await store.writeStatsSnapshot(project.id, { ...current, format: SNAPSHOT_FORMAT + 1 })
    const cache = createStatsCache(store, options)
    expect((await report(store, project, cache)).meta).toMatchObject({
      rebuilt: true,
      restored: false,
    })
    // The rebuild leaves one of its own format (waited for, before the store closes).
    await cache.settle()
    expect((await store.readStatsSnapshot(project.id))?.format).toBe(SNAPSHOT_FORMAT)
  })
})
