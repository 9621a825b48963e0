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

let child: ChildProcess
let url: string
let dir: string

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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 15_000)
    child.stdout?.on('data', () => {
      const m = /collector on (http:\/\/\S+)/.exec(output)
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
    const post = (events: unknown[]) =>
      fetch(`${url}/v1/events?key=${PUBLIC_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      }).then((r) => r.json())
    const prompt = 'How do I change the address on my account?'
    const response = 'Write to us.'
    const correction = 'Open Profile, choose Address, edit it and save; it changes at once.'
    expect(
      await post([
        makeEvent('explicit_correction', { prompt, response, correctionText: correction }),
      ]),
    ).toMatchObject({ accepted: 1 })
    const batch = Array.from({ length: 60 }, () => makeEvent('thumbs_down', { prompt, response }))
    expect(await post(batch)).toMatchObject({ accepted: 60, duplicates: 0 })
    expect(await post(batch)).toMatchObject({ accepted: 0, duplicates: 60 })

    const raw = await (await fetch(`${url}/v1/events`, { headers: secret })).text()
    expect(raw.trim().split('\n')).toHaveLength(61)
    const exported = await (await fetch(`${url}/v1/export?format=dpo`, { headers: secret })).text()
    const rows = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(rows).toContainEqual({ prompt, chosen: correction, rejected: response })
    const stats = await (await fetch(`${url}/v1/stats`, { headers: secret })).json()
    expect(stats.totals.feedback).toBe(61)
  })
})
