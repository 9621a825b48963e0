// `tightloop webhooks`, spawned as users run it, on a real SQLite file a real collector writes.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestCollector, type TestCollector } from '@tightloop/collector/testing'
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
  dir = mkdtempSync(join(tmpdir(), 'tightloop-webhooks-cli-'))
  collector = await startTestCollector()
})
afterAll(async () => {
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tightloop webhooks', { timeout: 60_000 }, () => {
  it('adds (secret shown once), lists without the secret, shows deliveries, removes', async () => {
    const added = await cli([
      'webhooks',
      'add',
      'https://hooks.example.com/in',
      '--events',
      'escalation,low_csat',
      '--format',
      'slack',
      '--json',
    ])
    expect(added.code).toBe(0)
    const { webhook } = JSON.parse(added.stdout)
    expect(webhook).toMatchObject({ events: ['escalation', 'low_csat'], format: 'slack' })
    expect(webhook.secret).toMatch(/^whsec_/)

    const listed = await cli(['webhooks', 'list'])
    expect(listed.stdout).toContain(webhook.id)
    expect(listed.stdout).not.toContain(webhook.secret)
    const deliveries = await cli(['webhooks', 'deliveries', webhook.id, '--json'])
    expect(JSON.parse(deliveries.stdout)).toEqual({ deliveries: [] })
    expect((await cli(['webhooks', 'remove', webhook.id])).stdout).toContain('removed')
    expect(JSON.parse((await cli(['webhooks', 'list', '--json'])).stdout)).toEqual({ webhooks: [] })
  })

  it('refuses a URL that is not http(s), an unknown event and an unknown id readably', async () => {
    const ftp = await cli(['webhooks', 'add', 'ftp://x.example/y', '--events', 'alert'])
    expect(ftp.code).toBe(2)
    expect(ftp.stderr).toContain('http or https')
    const event = await cli(['webhooks', 'add', 'https://x.example/y', '--events', 'nope'])
    expect(event.code).toBe(2)
    expect(event.stderr).toContain('events must be')
    const unknown = await cli(['webhooks', 'remove', 'wh_missing'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no webhook wh_missing')
    expect(unknown.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })
})
