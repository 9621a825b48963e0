// `tightloop users` and `project set --retention-days`, spawned as users run them, on a real
// SQLite file a real collector writes.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeEvent, startTestCollector, type TestCollector } from '@tightloop/collector/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/tightloop.mjs', import.meta.url))
let dir: string
let collector: TestCollector

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { PATH: process.env.PATH, TIGHTLOOP_DATABASE: collector.databasePath! } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-users-'))
  collector = await startTestCollector()
  const events = [
    makeEvent('explicit_correction', { userId: 'u-gone' }),
    makeEvent('thumbs_down', { userId: 'u-gone' }),
    makeEvent('explicit_correction', { userId: 'u-stays' }),
  ]
  const res = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.publicKey}` },
    body: JSON.stringify({ events }),
  })
  expect(res.status).toBe(200)
})
afterAll(async () => {
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tightloop users', { timeout: 60_000 }, () => {
  it('exports a user, erases them, and names the CLI export that held them', async () => {
    const mine = await cli(['users', 'export', 'u-gone'])
    expect(mine.code).toBe(0)
    const lines = mine.stdout.trim().split('\n')
    expect(lines.map((l) => JSON.parse(l).userId)).toEqual(['u-gone', 'u-gone'])

    expect((await cli(['export', '--out', 'train.jsonl'])).code).toBe(0)
    const erased = await cli(['users', 'delete', 'u-gone', '--json'])
    expect(erased.code).toBe(0)
    const result = JSON.parse(erased.stdout)
    expect(result).toMatchObject({
      events: 2,
      storageCleared: true,
      exports: [{ via: 'cli', format: 'native' }],
    })

    expect((await cli(['users', 'export', 'u-gone'])).stdout).toBe('')
    // `users` stays what the dataset held when it was made (both users).
    const runs = JSON.parse((await cli(['users', 'exports', '--json'])).stdout)
    expect(runs).toMatchObject([{ id: result.exports[0].id, users: 2, complete: true, via: 'cli' }])
    const text = await cli(['users', 'delete', 'u-gone'])
    expect(text.stdout).toMatch(
      /erased u-gone: 0 events.*\n.*\n {2}no earlier export held this user/,
    )
  })

  it('refuses a bad user id or retention readably, and applies retention when set', async () => {
    const long = await cli(['users', 'delete', 'x'.repeat(129)])
    expect(long.code).toBe(2)
    expect(long.stderr).toMatch(/at most 128 characters/)
    const zero = await cli(['project', 'set', '--retention-days', '0'])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toMatch(/--retention-days must be off or a whole number/)
    expect(zero.stderr).not.toMatch(/\n\s+at /)
    expect((await cli(['users', 'retention'])).stdout).toMatch(/retention is off/)

    expect((await cli(['project', 'set', '--retention-days', '30'])).code).toBe(0)
    expect((await cli(['project', 'show'])).stdout).toMatch(/retention: +30 days/)
    const run = await cli(['users', 'retention'])
    expect(run.stdout).toMatch(/deleted 0 events received before 20/) // the events are fresh
    expect((await cli(['project', 'set', '--retention-days', 'off'])).code).toBe(0)
    expect((await cli(['project', 'show'])).stdout).toMatch(/retention: +off/)
  })
})
