// Runs every vitest suite and ends with the plain total line CI reads: `N passed, N failed`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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

let passed = 0
let failed = 0
let skipped = 0
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0)
  skipped = json.numPendingTests + json.numTodoTests
  // A suite that failed to load has no tests of its own but must still count as a failure.
  for (const suite of json.testResults ?? []) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) failed += 1
  }
} catch {
  failed += 1
  console.error('tightloop: no test report was written; counting the run as failed')
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(run.status === 0 && failed === 0 ? 0 : 1)
