// Runs the store contract against SQLite files in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { createSqliteStore } from './sqlite.ts'
import { describeStoreContract } from './store.contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'tightloop-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)), {
  sharedRateLimits: false,
})
