// `tightloop … | head -1`: a reader that stops early must end the command quietly, exit 0.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSqliteStore, provisionProject } from '@tightloop/collector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/tightloop.mjs', import.meta.url))
let dir: string
let database: string

/** Runs `tightloop <args> | head -<lines>` through a shell; the CLI's own exit code and stderr. */
function piped(args: string[], lines: number): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const cmd = `"$NODE" "$BIN" ${args.join(' ')} | head -${lines} >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&3`
    const child = spawn('bash', ['-c', cmd], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE: process.execPath, BIN, TIGHTLOOP_DATABASE: database },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let status = ''
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.stdio[3]?.on('data', (chunk) => {
      status += chunk
    })
    child.on('error', fail)
    child.on('close', () => done({ code: Number(/exit=(\d+)/.exec(status)?.[1] ?? -1), stderr }))
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tightloop-pipe-'))
  database = join(dir, 'pipe.db')
  const store = createSqliteStore(database)
  await store.migrate()
  await provisionProject(store, { name: 'pipe' })
  await store.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a closed output pipe', { timeout: 60_000 }, () => {
  it.each([
    [['stats'], 1],
    [['adversaries', 'scan'], 2],
    [['--help'], 1],
    [['project', 'show'], 1],
  ])('ends "tightloop %j | head" with exit 0 and no stack trace', async (args, lines) => {
    const run = await piped(args as string[], lines as number)
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /)
    expect(run.code).toBe(0)
  })
})
