// The production entry point: `pnpm build` bundles the server into dist/, and plain `node
// dist/main.js` (no tsx, no TypeScript anywhere in the process) ingests, exports and reports.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeEvent } from '@tightloop/collector/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const APP = fileURLToPath(new URL('..', import.meta.url))
const PUBLIC_KEY = 'pk_built_server_test_key_0001'
const SECRET_KEY = 'sk_built_server_test_secret_key_00000001'
const METRICS_TOKEN = 'metrics-token-for-the-built-server-test'

let child: ChildProcess
let url: string
let dir: string
let output = ''

beforeAll(async () => {
  execFileSync('pnpm', ['build'], { cwd: APP, stdio: 'pipe' })
  dir = mkdtempSync(join(tmpdir(), 'tightloop-built-'))
  child = spawn(process.execPath, [join(APP, 'dist/main.js')], {
    cwd: dir,
    // Only what a process manager would set: no NODE_OPTIONS, so no loader can sneak in.
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      TIGHTLOOP_DATABASE: join(dir, 'tightloop.db'),
      TIGHTLOOP_PUBLIC_KEY: PUBLIC_KEY,
      TIGHTLOOP_SECRET_KEY: SECRET_KEY,
      TIGHTLOOP_LOG: 'json',
      TIGHTLOOP_METRICS_TOKEN: METRICS_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 15_000)
    child.stdout?.on('data', () => {
      const m = /"msg":"start","url":"(http:\/\/[^"]+)"/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.on('exit', () => reject(new Error(`exited: ${output}`)))
  })
}, 120_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  rmSync(dir, { recursive: true, force: true })
})

const secret = { authorization: `Bearer ${SECRET_KEY}` }

describe('the built server under plain node', () => {
  it('runs JavaScript only: no TypeScript loader in its command line or its modules', () => {
    expect(child.spawnargs).toEqual([process.execPath, join(APP, 'dist/main.js')])
    const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8')
    expect(maps).not.toMatch(/tsx|esbuild/)
  })

  it('stores single events and 60-event batches (its writer thread), exports and reports them', async () => {
    const post = (events: unknown[], client?: unknown) =>
      fetch(`${url}/v1/events?key=${PUBLIC_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events, ...(client !== undefined && { client }) }),
      }).then((r) => r.json())
    const prompt = 'How do I change the address on my account?'
    const response = 'Write to us.'
    const correction = 'Open Profile, choose Address, edit it and save; it changes at once.'
    expect(
      await post([
        makeEvent('explicit_correction', {
          prompt,
          response,
          correctionText: correction,
          userId: 'corrector',
        }),
      ]),
    ).toMatchObject({ accepted: 1 })
    // 60 different users: one user's 60 votes at once would be quarantined as a burst.
    const batch = Array.from({ length: 60 }, (_, i) =>
      makeEvent('thumbs_down', { prompt, response, userId: `voter-${i}` }),
    )
    expect(await post(batch)).toMatchObject({ accepted: 60, duplicates: 0 })
    expect(await post(batch)).toMatchObject({
      accepted: 0,
      duplicates: 60,
    })
    // Drops a browser reports count with a batch that stored something new (not with retries).
    const more = [makeEvent('thumbs_down', { prompt, response, userId: 'voter-60' })]
    expect(await post(more, { sdk: 'test', storage: 'memory', dropped: 3 })).toMatchObject({
      accepted: 1,
    })
    const bad = { ...makeEvent('csat'), csat: 9 }
    expect(await post([bad])).toMatchObject({ accepted: 0, rejected: [{ index: 0 }] })

    const raw = await (await fetch(`${url}/v1/events`, { headers: secret })).text()
    expect(raw.trim().split('\n')).toHaveLength(62)
    const exported = await (await fetch(`${url}/v1/export?format=dpo`, { headers: secret })).text()
    const rows = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(rows).toContainEqual({ prompt, chosen: correction, rejected: response })
    const stats = await (await fetch(`${url}/v1/stats`, { headers: secret })).json()
    expect(stats.totals.feedback).toBe(62)
  })

  it('serves the exact counts of that traffic at /metrics, with the metrics token only', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
    })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } })
    const res = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `))
      return line === undefined ? undefined : Number(line.slice(series.length + 1))
    }
    expect(value('tightloop_events_total{outcome="accepted"}')).toBe(62)
    expect(value('tightloop_events_total{outcome="duplicate"}')).toBe(60)
    expect(value('tightloop_events_total{outcome="rejected"}')).toBe(1)
    expect(value('tightloop_events_rejected_total{reason="csat"}')).toBe(1)
    expect(value('tightloop_client_dropped_events_total')).toBe(3)
    expect(
      value('tightloop_http_requests_total{method="POST",route="/v1/events",status="200"}'),
    ).toBe(5)
    expect(
      value('tightloop_http_request_duration_seconds_count{method="POST",route="/v1/events"}'),
    ).toBe(5)
    expect(
      value('tightloop_http_requests_total{method="GET",route="/v1/export",status="200"}'),
    ).toBe(1)
    // Three commits stored rows (1, 60, 1); the duplicates' commit stored none but ran.
    expect(value('tightloop_commit_group_rows_sum{engine="sqlite"}')).toBe(122)
    expect(value('tightloop_commit_group_rows_count{engine="sqlite"}')).toBe(4)
    expect(value('process_cpu_user_seconds_total')).toBeGreaterThan(0)
  })

  it('writes JSON log lines with no key, prompt or answer in them', async () => {
    const lines = output.trim().split('\n')
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(['store_ready', 'project_ready', 'start', 'request']),
    )
    const ingest = records.filter(
      (r) => r.msg === 'request' && r.route === '/v1/events' && r.method === 'POST',
    )
    expect(ingest).toHaveLength(5)
    for (const r of ingest) {
      expect(r).toMatchObject({
        method: 'POST',
        status: 200,
        project: expect.stringMatching(/^prj_/),
      })
      expect(typeof r.durationMs).toBe('number')
      expect(typeof r.requestId).toBe('string')
    }
    for (const secret of [
      PUBLIC_KEY,
      SECRET_KEY,
      METRICS_TOKEN,
      'change the address',
      'Write to us',
      'Open Profile',
    ]) {
      expect(output).not.toContain(secret)
    }
  })

  it('derives a rephrase with the word vectors its pipeline package ships', async () => {
    const session = { sessionId: 'built-session', userId: 'built-user' }
    const ask = (requestId: string, prompt: string, response: string) => [
      makeEvent('prompt_asked', { ...session, requestId: `${requestId}-p`, prompt }),
      makeEvent('response_shown', { ...session, requestId, prompt, response }),
    ]
    const res = await fetch(`${url}/v1/events?key=${PUBLIC_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          ...ask('pin-1', 'I need my PIN, where is it?', 'It comes with the card.'),
          ...ask('pin-2', 'I do not have my pin yet', 'It is sent two days after the card.'),
        ],
      }),
    })
    expect(await res.json()).toMatchObject({ accepted: 4 })
    const exported = await fetch(`${url}/v1/export?format=native&stats=trailer`, {
      headers: secret,
    })
    const records = (await exported.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const trailer = records.pop().tightloop_export_stats
    expect(trailer.implicit).toMatchObject({ rephrases: 1 })
    expect(records).toContainEqual(
      expect.objectContaining({ source: 'rephrase', rejected: 'It comes with the card.' }),
    )
  })
})
