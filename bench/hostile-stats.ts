// What one hostile event costs /v1/stats (issue 18, finding 1). A SQLite store gets 30 days of
// seeded traffic; in the `hostile` variant it also holds the two rows the finding's requests
// stored before the fix (occurredAt -005947-11-09 and 0000-01-01: an old database may still
// hold them), and the finding's request is sent again. Then `/v1/stats` is asked without
// `since` and with the dashboard's 30 days, cold and warm. Each variant runs in its own
// process so the peak resident memory (VmHWM) is the variant's own.
// Usage: pnpm exec tsx bench/hostile-stats.ts clean|hostile [answersPerDay=2000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedProject } from '../apps/collector/src/seed.ts'
import { createSqliteStore } from '../packages/collector/src/index.ts'
import { makeEvent, startTestCollector } from '../packages/collector/src/testing.ts'

const DAY = 86_400_000

function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8')
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024
}

async function main() {
  const variant = process.argv[2]
  if (variant !== 'clean' && variant !== 'hostile') {
    console.error('usage: bench/hostile-stats.ts clean|hostile [answersPerDay]')
    process.exit(2)
  }
  const answersPerDay = Number(process.argv[3] ?? 2_000)
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-hostile-stats-'))
  const store = createSqliteStore(join(dir, 'bench.db'))
  const c = await startTestCollector({ store })
  try {
    const now = Date.now()
    const seeded = await seedProject(store, c.project.id, { days: 30, answersPerDay, now })
    let refused = ''
    if (variant === 'hostile') {
      for (const iso of ['-005947-11-09T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
        const e = makeEvent('thumbs_down')
        await store.insertEvents(c.project.id, [
          {
            eventId: e.eventId,
            signal: 'thumbs_down',
            requestId: e.requestId,
            userId: e.userId,
            occurredAt: Date.parse(iso),
            receivedAt: now - 60_000,
            productVersion: null,
            event: { ...e, occurredAt: iso, receivedAt: new Date(now - 60_000).toISOString() },
          },
        ] as never)
      }
      const res = await fetch(`${c.url}/v1/events?key=${c.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({
          sentAt: '9999-12-31T23:59:59Z',
          events: [makeEvent('thumbs_down', { occurredAt: '0000-01-01T00:00:00Z' })],
        }),
      })
      refused = JSON.stringify(await res.json())
    }
    const baseRss = peakRssMiB()
    // Until the report is ready (a cold cache answers 202 while it builds): total time, tries.
    const ask = async (path: string) => {
      const started = performance.now()
      for (let tries = 1; ; tries++) {
        const res = await fetch(`${c.url}${path}`, {
          headers: { authorization: `Bearer ${c.secretKey}` },
        })
        const body = (await res.json()) as { days?: unknown[] }
        if (res.status !== 202) {
          const ms = Math.round(performance.now() - started)
          return { ms, status: res.status, tries, days: body.days?.length }
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const since = `/v1/stats?since=${now - 30 * DAY}`
    const results = {
      variant,
      events: seeded.events,
      ...(refused && { hostileRequest: refused }),
      noSinceCold: await ask('/v1/stats'),
      noSinceWarm: await ask('/v1/stats'),
      dashboardCold: await ask(since), // the cache built for the default range serves it
      dashboardWarm: await ask(since),
      peakRssBeforeStatsMiB: Math.round(baseRss),
      peakRssAfterStatsMiB: Math.round(peakRssMiB()),
    }
    console.log(JSON.stringify(results))
  } finally {
    await c.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
