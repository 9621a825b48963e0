// close() keeps the process alive until the writer threads are done with the file.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('finishes a top-level `await store.close()` after a write (no exit 13)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-close-'))
  try {
    const script = fileURLToPath(new URL('./fixtures/close-at-top-level.ts', import.meta.url))
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, join(dir, 'x.db')], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout.trim()).toBe('closed')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
