// The demo project's origins: its own page, plus TIGHTLOOP_ALLOWED_ORIGINS when set; what the
// CLI sets survives a restart when the environment says nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStore, type Store } from '@tightloop/collector'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { ensureDemoProject } from './demo-project.ts'

let dir: string
let store: Store

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-demo-project-'))
  store = createSqliteStore(join(dir, 'demo.db'))
  await store.migrate()
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const config = (env: Record<string, string> = {}) =>
  readConfig({ TIGHTLOOP_DATABASE: join(dir, 'demo.db'), PORT: '8787', ...env }, dir)

describe('ensureDemoProject', () => {
  it('allows TIGHTLOOP_ALLOWED_ORIGINS without TIGHTLOOP_PUBLIC_KEY, at creation and later', async () => {
    const env = { TIGHTLOOP_ALLOWED_ORIGINS: 'https://support.example.com' }
    const first = await ensureDemoProject(store, config(env))
    expect(first.project.allowedOrigins).toContain('https://support.example.com')
    expect(first.project.allowedOrigins).toContain('http://127.0.0.1:8787')
    const second = await ensureDemoProject(
      store,
      config({ TIGHTLOOP_ALLOWED_ORIGINS: 'https://help.example.org' }),
    )
    expect(second.project.allowedOrigins).toContain('https://help.example.org')
    expect(second.project.allowedOrigins).not.toContain('https://support.example.com')
  })

  it('keeps origins set with the CLI across restarts when the environment sets none', async () => {
    const first = await ensureDemoProject(store, config())
    await store.updateProject(first.project.id, {
      allowedOrigins: ['http://127.0.0.1:8787', 'https://cli.example.com'],
    })
    const again = await ensureDemoProject(store, config())
    expect(again.project.allowedOrigins).toContain('https://cli.example.com')
    // The demo page itself keeps working, also on a new port.
    const moved = await ensureDemoProject(store, config({ PORT: '9999' }))
    expect(moved.project.allowedOrigins).toContain('https://cli.example.com')
    expect(moved.project.allowedOrigins).toContain('http://127.0.0.1:9999')
  })
})
