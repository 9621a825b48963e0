// warmStats: the collector builds every project's drift aggregates at start, before any visit.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createSqliteStore } from '../store/sqlite.ts'
import type { Store } from '../store/types.ts'
import { startTestCollector } from '../testing.ts'

it.each([true, false])(
  'reads the events before the first request when warmStats is %s',
  async (warm) => {
    const dir = mkdtempSync(join(tmpdir(), 'tightloop-warm-'))
    const inner = createSqliteStore(join(dir, 'x.db'))
    const streamed: string[] = []
    const store: Store = {
      ...inner,
      streamEvents(projectId, range) {
        streamed.push(projectId)
        return inner.streamEvents(projectId, range)
      },
    }
    const collector = await startTestCollector({ store, warmStats: warm })
    try {
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(streamed.includes(collector.project.id)).toBe(warm)
    } finally {
      await collector.close()
      await inner.close()
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
