// The real `tightloop` CLI, spawned as users run it, on a real SQLite file a real collector writes.
// Each spawn loads the TypeScript through tsx (about a second), hence the long timeouts.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeEvent, startTestCollector, type TestCollector } from '@tightloop/collector/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/tightloop.mjs', import.meta.url))
const COMMANDS = ['export', 'gate', 'adversaries', 'versions', 'project']
let dir: string
let collector: TestCollector

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, TIGHTLOOP_DATABASE: collector.databasePath!, ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}

function expectReadableFailure(run: Run, message: RegExp) {
  expect(run.code).toBe(2)
  expect(run.stderr).toMatch(message)
  expect(run.stderr).not.toMatch(/\n\s+at /) // no stack trace
}

const metrics = (accuracy: number, hallucinationRate: number, p50LatencyMs: number) =>
  JSON.stringify({ accuracy, hallucinationRate, p50LatencyMs })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-cli-'))
  collector = await startTestCollector()
  const events = [
    makeEvent('thumbs_down', { userId: 'u-honest' }),
    makeEvent('explicit_correction', { userId: 'u-honest' }),
    makeEvent('csat', { csat: 1, userId: 'u-troll' }),
    makeEvent('thumbs_up', { userId: 'u-honest' }),
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

describe('help and usage errors', { timeout: 60_000 }, () => {
  it('lists every command under --help', async () => {
    const run = await cli(['--help'])
    expect(run.code).toBe(0)
    for (const name of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
  })

  it('prints the overview and exits 2 with no command', async () => {
    const run = await cli([])
    expect(run.code).toBe(2)
    expect(run.stdout).toContain('Usage: tightloop <command>')
  })

  it.each(COMMANDS)('answers "%s --help" with its usage', async (name) => {
    const run = await cli([name, '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout.startsWith(`Usage: tightloop ${name}`)).toBe(true)
    expect(run.stdout).toContain('--database')
  })

  it('names an unknown command readably', async () => {
    expectReadableFailure(await cli(['exprot']), /unknown command "exprot"/)
  })

  it('names a bad flag and points at --help', async () => {
    const run = await cli(['export', '--fromat', 'dpo'])
    expectReadableFailure(run, /Unknown option '--fromat'/)
    expect(run.stderr).toContain('tightloop export --help')
  })

  it.each([
    [['export', '--format', 'csv'], /--format must be one of native, dpo, kto, openai/],
    [['export', '--since', 'soon'], /--since must be an ISO-8601 time/],
    [['versions', 'add', 'v2', '--at', 'tomorrow'], /--at must be an ISO-8601 time/],
    [['versions', 'explode'], /unknown action "explode"/],
    [['adversaries', 'add'], /needs a user id/],
    [['project', 'rotate', '--kind', 'both'], /--kind public or --kind secret/],
    [['gate', '--candidate', '{}'], /needs --candidate and --baseline/],
  ])('rejects %j with a message', async (args, message) => {
    expectReadableFailure(await cli(args), message)
  })

  it('says when the database does not exist instead of creating an empty one', async () => {
    const run = await cli(['versions', 'list', '--database', join(dir, 'nope', 'x.db')])
    expectReadableFailure(run, /no database at .*nope\/x\.db/)
  })
})

describe('export', { timeout: 60_000 }, () => {
  it('writes the same rows as GET /v1/export, to a file, with the drops on stderr', async () => {
    const run = await cli(['export', '--out', 'train.jsonl', '--stats', 'stats.json'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/3 native records from 3 rows of 4 events/)
    expect(run.stderr).toMatch(/excluded_signal: 1/)
    const file = readFileSync(join(dir, 'train.jsonl'), 'utf8')
    const http = await (
      await fetch(`${collector.url}/v1/export`, {
        headers: { authorization: `Bearer ${collector.secretKey}` },
      })
    ).text()
    expect(file.split('\n').sort()).toEqual(http.split('\n').sort())
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'))
    expect(stats).toMatchObject({ events: 4, rows: 3, records: 3, dropped: { excluded_signal: 1 } })
  })

  it('writes DPO pairs to stdout', async () => {
    const run = await cli(['export', '--format', 'dpo'])
    expect(run.code).toBe(0)
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows).toHaveLength(1)
    expect(Object.keys(rows[0]).sort()).toEqual(['chosen', 'prompt', 'rejected'])
    expect(run.stderr).toMatch(/2 rejected-only rows have no dpo form/)
  })

  it('leaves no file behind when it cannot write', async () => {
    const run = await cli(['export', '--out', join(dir, 'missing-dir', 'x.jsonl')])
    expectReadableFailure(run, /cannot write/)
  })
})

describe('adversaries and versions change the export', { timeout: 60_000 }, () => {
  it('drops a confirmed adversary, and brings them back when removed', async () => {
    expect((await cli(['adversaries', 'add', 'u-troll', '--reason', 'ticket 12'])).code).toBe(0)
    const listed = await cli(['adversaries', 'list', '--json'])
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { userId: 'u-troll', status: 'confirmed', reason: 'ticket 12' },
    ])
    const without = await cli(['export'])
    expect(without.stdout.trim().split('\n')).toHaveLength(2)
    expect(without.stderr).toMatch(/adversarial_user: 1/)
    expect((await cli(['adversaries', 'remove', 'u-troll'])).code).toBe(0)
    expectReadableFailure(
      await cli(['adversaries', 'remove', 'u-troll']),
      /not on the adversary list/,
    )
  })

  it('dismisses a flag with a reason, bringing the user back into the export', async () => {
    expect((await cli(['adversaries', 'add', 'u-maybe', '--flagged'])).code).toBe(0)
    expectReadableFailure(await cli(['adversaries', 'dismiss', 'u-maybe']), /needs --reason/)
    expectReadableFailure(
      await cli(['adversaries', 'dismiss', 'u-nobody', '--reason', 'x']),
      /No adversary "u-nobody"/,
    )
    const run = await cli(['adversaries', 'dismiss', 'u-maybe', '--reason', 'QA account'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('dismissed u-maybe: QA account\n')
    const listed = await cli(['adversaries', 'list', '--status', 'dismissed', '--json'])
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { userId: 'u-maybe', status: 'dismissed', reason: 'QA account' },
    ])
    expect((await cli(['adversaries', 'remove', 'u-maybe'])).code).toBe(0)
  })

  it('project set turns the eval holdout off and on, and names the adversary policy', async () => {
    const off = await cli(['project', 'set', '--eval-holdout', 'off'])
    expect(off.code).toBe(0)
    expect(off.stdout).toMatch(/eval holdout: +OFF/)
    const on = await cli([
      'project',
      'set',
      '--eval-holdout',
      'on',
      '--adversary-policy',
      'quarantine',
    ])
    expect(on.stdout).toMatch(/eval holdout: +on/)
    expect(on.stdout).toMatch(/adversary policy: +quarantine/)
    expectReadableFailure(
      await cli(['project', 'set', '--adversary-policy', 'ban-everyone']),
      /--adversary-policy must be quarantine or include-until-confirmed/,
    )
  })

  it('a version change after the events makes them all stale', async () => {
    const at = new Date(Date.now() + 1_000).toISOString()
    expect((await cli(['versions', 'add', 'v2', '--at', at])).code).toBe(0)
    await new Promise((r) => setTimeout(r, 1_100))
    const run = await cli(['export'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/before_version_change: 3/)
    expect((await cli(['versions', 'remove', 'v2'])).code).toBe(0)
    expect((await cli(['versions', 'list', '--json'])).stdout.trim()).toBe('[]')
  })
})

describe('gate', { timeout: 60_000 }, () => {
  it('exits 0 to promote and 1 to block, printing every check', async () => {
    writeFileSync(join(dir, 'baseline.json'), metrics(0.9, 0.02, 800))
    const promote = await cli([
      'gate',
      '--candidate',
      metrics(0.895, 0.02, 880),
      '--baseline',
      'baseline.json',
      '--label',
      'ft-1',
    ])
    expect(promote.code).toBe(0)
    expect(promote.stdout).toMatch(/^PROMOTE {2}ft-1\n {2}pass {2}accuracy/)
    const block = await cli([
      'gate',
      '--candidate',
      metrics(0.99, 0.03, 500),
      '--baseline',
      'baseline.json',
    ])
    expect(block.code).toBe(1)
    expect(block.stdout).toMatch(/^BLOCK/)
    expect(block.stdout).toMatch(/FAIL {2}hallucination rate 0.03/)
    expect(block.stdout.match(/^ {2}(pass|FAIL) /gm)).toHaveLength(3)
  })

  it('rejects bad metrics with exit 2 and records nothing', async () => {
    const before = (await cli(['gate', 'history', '--json'])).stdout
    expectReadableFailure(
      await cli(['gate', '--candidate', metrics(1.5, 0.02, 800), '--baseline', 'baseline.json']),
      /candidate.accuracy must be between 0 and 1/,
    )
    expectReadableFailure(
      await cli(['gate', '--candidate', '{accuracy: 1}', '--baseline', 'baseline.json']),
      /not valid JSON/,
    )
    expectReadableFailure(
      await cli(['gate', '--candidate', 'nope.json', '--baseline', 'baseline.json']),
      /cannot read nope.json/,
    )
    const after = (await cli(['gate', 'history', '--json'])).stdout
    expect(after).toBe(before)
    expect(JSON.parse(after).map((d: { promote: boolean }) => d.promote)).toEqual([true, false])
  })
})

describe('project', { timeout: 60_000 }, () => {
  it('creates a project with keys, refuses a bad origin without changing anything, rotates keys', async () => {
    const db = ['--database', join(dir, 'fresh.db')]
    const created = await cli(['project', 'create', '--name', 'support', '--json', ...db])
    expect(created.code).toBe(0)
    const made = JSON.parse(created.stdout)
    expect(made.publicKey).toMatch(/^pk_/)
    expect(made.secretKey).toMatch(/^sk_/)
    const set = await cli([
      'project',
      'set',
      '--origins',
      'https://help.example.com',
      '--escalation-reasons',
      'billing,bug',
      ...db,
    ])
    expect(set.code).toBe(0)
    expect(set.stdout).toContain('https://help.example.com')
    const before = (await cli(['project', 'show', '--json', ...db])).stdout
    expectReadableFailure(
      await cli([
        'project',
        'set',
        '--origins',
        'help.example.com/path',
        '--ttl-days',
        '10',
        ...db,
      ]),
      /--origins: "help.example.com\/path" is not an origin: write https:\/\/support.example.com/,
    )
    expect((await cli(['project', 'show', '--json', ...db])).stdout).toBe(before)
    expect(JSON.parse(before)).toMatchObject({
      allowedOrigins: ['https://help.example.com'],
      escalationReasons: ['billing', 'bug'],
      ttlDays: 45,
    })
    const strict = await cli(['project', 'set', '--require-answer-log', 'on', ...db])
    expect(strict.code).toBe(0)
    expect(strict.stdout).toContain('answer log:         required')
    expect((await cli(['project', 'show', ...db])).stdout).toContain('answer log:         required')
    expectReadableFailure(
      await cli(['project', 'set', '--require-answer-log', 'maybe', ...db]),
      /--require-answer-log must be true or false/,
    )
    const window = await cli(['project', 'set', '--event-window-days', '7', ...db])
    expect(window.stdout).toContain('event window:       7 days')
    expect(JSON.parse((await cli(['project', 'show', '--json', ...db])).stdout)).toMatchObject({
      eventWindowDays: 7,
      requireAnswerLog: true,
    })
    const review = await cli([
      'project',
      'set',
      '--reviewed-only',
      'on',
      '--min-reliability',
      '0.6',
      '--review-pending-threshold',
      '40',
      ...db,
    ])
    expect(review.stdout).toContain(
      'review:             only reviewed corrections train; unreliable below 0.6; webhook at 40 waiting',
    )
    expect(JSON.parse((await cli(['project', 'show', '--json', ...db])).stdout)).toMatchObject({
      reviewPendingThreshold: 40,
    })
    expectReadableFailure(
      await cli(['project', 'set', '--review-pending-threshold', '0', ...db]),
      /--review-pending-threshold must be a whole number from 1 to 1000000, not "0"/,
    )
    expectReadableFailure(
      await cli(['project', 'set', '--min-reliability', '2', ...db]),
      /--min-reliability must be a number from 0 to 1, not "2"/,
    )
    expectReadableFailure(
      await cli(['project', 'set', '--event-window-days', '0', ...db]),
      /--event-window-days must be a whole number from 1 to 3650, not "0"/,
    )
    const rotated = await cli([
      'project',
      'rotate',
      '--kind',
      'secret',
      '--grace',
      '0',
      '--json',
      ...db,
    ])
    expect(rotated.code).toBe(0)
    expect(JSON.parse(rotated.stdout).key).toMatch(/^sk_/)
  })

  it('asks which project when there are several', async () => {
    const db = ['--database', join(dir, 'fresh.db')]
    await cli(['project', 'create', '--name', 'second', ...db])
    const run = await cli(['versions', 'list', ...db])
    expectReadableFailure(run, /several projects: pass --project/)
    expect(run.stderr).toContain('second')
    expect((await cli(['versions', 'list', '--project', 'second', ...db])).code).toBe(0)
  })
})
