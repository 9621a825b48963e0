// The README's test command: build, typecheck, lint, then every vitest suite. Each of the
// first three counts as one test, so a type or lint error shows in the total too. The last
// line is the plain total CI reads: `N passed, N failed` (skipped tests on the line before).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let passed = 0
let failed = 0
let skipped = 0

const steps = [
  // Builds only what changed since the last build (a fresh checkout: everything).
  ['build', process.execPath, ['scripts/build-if-changed.mjs']],
  ['typecheck', 'node_modules/.bin/tsc', ['-b']],
  ['lint', 'node_modules/.bin/biome', ['check', '.']],
]
for (const [name, command, args] of steps) {
  console.log(`\n> ${name}: ${command} ${args.join(' ')}`)
  const step = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' })
  if (step.status === 0) passed += 1
  else {
    failed += 1
    console.error(
      `tightloop: ${name} failed (exit ${step.status ?? step.signal ?? step.error?.message})`,
    )
    // Tests need the build; without it every suite would fail for the same reason.
    if (name === 'build') {
      console.log(`${passed} passed, ${failed} failed`)
      process.exit(1)
    }
  }
}

const report = join(mkdtempSync(join(tmpdir(), 'tightloop-tests-')), 'report.json')
const run = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)

try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed += json.numPassedTests
  failed += json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0)
  skipped += json.numPendingTests + json.numTodoTests
  // A suite that failed to load has no tests of its own but must still count as a failure.
  for (const suite of json.testResults ?? []) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) failed += 1
  }
} catch {
  failed += 1
  console.error('tightloop: no test report was written; counting the run as failed')
}
if (skipped > 0) console.log(`${skipped} skipped`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(run.status === 0 && failed === 0 ? 0 : 1)
