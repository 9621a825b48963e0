// The script-tag budget, run with every test: build, measure, and look for what must not be in it.
import { describe, expect, it } from 'vitest'
import { BUDGET_GZIP_BYTES, measureScriptTag } from '../scripts/size.ts'

describe('dist/tightloop.js', async () => {
  const size = await measureScriptTag()

  it(`is at most ${BUDGET_GZIP_BYTES} B gzip`, () => {
    console.log(`tightloop.js: ${size.rawBytes} B raw, ${size.gzipBytes} B gzip`)
    expect(size.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
  })

  it('holds the client, the widget and preact, and no zod or server code', () => {
    const has = (part: string) => size.sources.some((s) => s.includes(part))
    expect(has('packages/client/src/client.ts')).toBe(true)
    // Abandonment and rephrase are the collector's to derive: no detector ships.
    expect(has('packages/client/src/detectors.ts')).toBe(false)
    expect(has('packages/widget/src/feedback.tsx')).toBe(true)
    expect(has('preact')).toBe(true)
    expect(size.forbidden).toEqual([])
  })
})
