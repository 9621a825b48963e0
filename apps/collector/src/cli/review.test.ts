// `tightloop review`, spawned as a reviewer runs it, on a real SQLite file a real collector writes.
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

function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { PATH: process.env.PATH, TIGHTLOOP_DATABASE: collector.databasePath! } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
    child.stdin?.end(stdin ?? '')
  })
}

const more = ['fix-2', 'fix-3', 'fix-4'].map((eventId, i) =>
  makeEvent('explicit_correction', {
    eventId,
    userId: `u-${i + 2}`,
    correctionText: ['Use the app.', 'Call us.', 'Visit a branch.'][i],
  }),
)
const fix = makeEvent('explicit_correction', {
  eventId: 'fix-1',
  userId: 'u-1',
  correctionText: 'Cards arrive in three working days, not ten.',
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-review-'))
  collector = await startTestCollector()
  const res = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.publicKey}` },
    body: JSON.stringify({ events: [fix, ...more] }),
  })
  expect(res.status).toBe(200)
})
afterAll(async () => {
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tightloop review', { timeout: 60_000 }, () => {
  it('lists the queue, records an edit, and refuses a stale or unknown decision readably', async () => {
    const queue = await cli(['review'])
    expect(queue.code).toBe(0)
    expect(queue.stdout).toContain('4 pending corrections')
    expect(queue.stdout).toContain('c:fix-1')

    const edit = await cli([
      'review',
      '--decide',
      'c:fix-1',
      '--decision',
      'edit',
      '--text',
      'Cards arrive in three working days.',
      '--reviewer',
      'Dana',
    ])
    expect(edit.code).toBe(0)
    expect(edit.stdout).toBe('c:fix-1: edit by Dana (version 1)\n')
    const decided = JSON.parse((await cli(['review', '--status', 'decided', '--json'])).stdout)
    expect(decided.items[0].decision).toMatchObject({ text: 'Cards arrive in three working days.' })

    for (const [args, message] of [
      [['--decide', 'c:fix-1', '--decision', 'approve', '--reviewer', 'Eve'], /version 1, not 0/],
      [['--decide', 'c:nope', '--decision', 'approve', '--reviewer', 'Eve'], /No review item/],
      [['--decide', 'c:fix-1', '--decision', 'approve'], /reviewer is required/],
      [['--kind', 'everything'], /kind must be/],
      [['--interactive'], /needs --reviewer/],
    ] as const) {
      const res = await cli(['review', ...args])
      expect(res.code, args.join(' ')).not.toBe(0)
      expect(res.stderr).toMatch(message)
      expect(res.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
  })

  it('works the queue one item at a time from typed (here piped) answers', async () => {
    const run = await cli(
      ['review', '--interactive', '--reviewer', 'Sam'],
      'x\nr\ne\nVisit any branch with your card.\nq\n',
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\[1\/3\] c:fix-2[\s\S]*"x"\? a approve[\s\S]*rejected/)
    expect(run.stdout).toContain('edited and approved')
    expect(run.stdout).toContain('2 decided, 1 left')
    const decided = JSON.parse((await cli(['review', '--status', 'decided', '--json'])).stdout)
    expect(decided.total).toBe(3)
  })
})
