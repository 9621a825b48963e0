// Runs the store contract against SQLite files in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from './sqlite.ts'
import { describeStoreContract } from './store.contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'tightloop-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite', async (name) => createSqliteStore(join(dir, `${name}.db`)), {
  sharedRateLimits: false,
})

describe('key lookups shared within one turn of the event loop', () => {
  it('sees a change made through another connection once the turn is over', async () => {
    const path = join(dir, 'two-connections.db')
    const a = createSqliteStore(path)
    await a.migrate()
    const b = createSqliteStore(path) // as a second collector, or the CLI, on the same file
    try {
      const project = await a.createProject({ name: 'p', allowedOrigins: ['https://a.example'] })
      await a.addKey({ projectId: project.id, kind: 'public', lookup: 'pk_turn', expiresAt: null })
      const before = await a.findKeyWithProject('pk_turn')
      expect(before?.project.allowedOrigins).toEqual(['https://a.example'])

      const soon = new Date(Date.now() + 60_000).toISOString()
      await b.updateProject(project.id, { allowedOrigins: ['https://b.example'] })
      await b.expireKeys(project.id, 'public', soon)
      await new Promise((resolve) => setImmediate(resolve)) // the next request's turn
      const after = await a.findKeyWithProject('pk_turn')
      expect(after?.key.expiresAt).toBe(soon)
      expect(after?.project.allowedOrigins).toEqual(['https://b.example'])

      // A change through the same store is seen at once, in the same turn.
      await a.updateProject(project.id, { allowedOrigins: ['https://c.example'] })
      expect((await a.findKeyWithProject('pk_turn'))?.project.allowedOrigins).toEqual([
        'https://c.example',
      ])
    } finally {
      await b.close()
      await a.close()
    }
  })
})
