// The 3 KB budget of the core, run with every test: scripts/size.mjs's own measurement (vite
// library builds, fully minified, gzip -9), for the core and for the core with both detectors.
import { describe, expect, it } from 'vitest'
import { BUDGET_GZIP_BYTES, measureClient } from '../scripts/size.mjs'

const CORE = '{ createClient }'
const WITH_DETECTORS = '{ createClient, rephraseDetector, abandonDetector }'

describe('@tightloop/client size', () => {
  it(`the core is at most ${BUDGET_GZIP_BYTES} B gzip with its dependencies external, and no build holds zod`, async () => {
    const [core, full] = await measureClient([CORE, WITH_DETECTORS])
    if (!core || !full) throw new Error('a scenario is missing from scripts/size.mjs')
    console.log(
      `@tightloop/client: core ${core.gzip} B gzip (budget ${BUDGET_GZIP_BYTES} B), ` +
        `with both detectors ${full.gzip} B (+${full.gzip - core.gzip} B); deps bundled: ` +
        `${core.sizes[2]?.gzip} B and ${full.sizes[2]?.gzip} B`,
    )
    expect(core.forbidden).toEqual([])
    expect(full.forbidden).toEqual([])
    expect(core.gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
    expect(core.over).toBe(false)
    // The detectors are tree-shaken away unless imported, and there when imported.
    for (const word of ['session_abandon', 'rephrase', 'fastest-levenshtein']) {
      expect(core.code, word).not.toContain(word)
      expect(full.code, word).toContain(word)
    }
  }, 60_000)
})
