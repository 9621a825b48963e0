// The Dockerfile's steps without Docker: scripts/container/check.sh builds a clean copy of the
// repository as a non-root user and serves it with the image's command. It needs root (to make
// the user) and a few minutes, so it runs where TIGHTLOOP_CONTAINER_CHECK=1 (.ci/run sets it).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const wanted = process.env.TIGHTLOOP_CONTAINER_CHECK === '1'
if (!wanted)
  console.warn('tightloop: container check skipped (set TIGHTLOOP_CONTAINER_CHECK=1 as root)')

describe.skipIf(!wanted)('the container recipe', () => {
  it('builds from a clean copy and serves as a non-root user, as the Dockerfile does', () => {
    const out = execFileSync('bash', ['scripts/container/check.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 900_000,
    })
    expect(out).toMatch(/container-check: built and served as \S+ from a clean copy/)
  }, 900_000)
})
