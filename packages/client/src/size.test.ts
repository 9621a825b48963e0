// The 3 KB budget of the core, run with every test: scripts/size.mjs's own measurement (vite
// library builds, fully minified, gzip -9).
import { describe, expect, it } from 'vitest'
import { BUDGET_GZIP_BYTES, measureClient } from '../scripts/size.mjs'

const CORE = '{ createClient }'

describe('@tightloop/client size', () => {
  it(`the core is at most ${BUDGET_GZIP_BYTES} B gzip with its dependencies external, and no build holds zod`, async () => {
    const [core] = await measureClient([CORE])
    if (!core) throw new Error('a scenario is missing from scripts/size.mjs')
    console.log(
      `@tightloop/client: core ${core.gzip} B gzip (budget ${BUDGET_GZIP_BYTES} B); deps bundled: ${core.sizes[2]?.gzip} B`,
    )
    expect(core.forbidden).toEqual([])
    expect(core.gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
    expect(core.over).toBe(false)
    // The browser decides no implicit signal: it sends facts, the collector judges them.
    for (const word of ['session_abandon', '"rephrase"', 'fastest-levenshtein']) {
      expect(core.code, word).not.toContain(word)
    }
  }, 60_000)
})
