// `pnpm start` builds only when a source changed: after one build, a second run of the check
// finds the fingerprint unchanged and skips the build (the build writes nothing it reads).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const run = (...args: string[]) =>
  execFileSync(process.execPath, ['scripts/build-if-changed.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  })

it('skips the build when nothing changed since the last one', () => {
  // The test command builds through this script first; run alone, the test builds here.
  try {
    run('--check')
  } catch {
    run()
  }
  const started = performance.now()
  expect(run()).toContain('build is up to date')
  expect(performance.now() - started).toBeLessThan(5_000)
}, 300_000)
