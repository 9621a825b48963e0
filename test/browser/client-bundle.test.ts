// The client as the browser loads it (minified, dependencies bundled): self-contained, and
// carrying nothing server-side. No browser needed.
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildClientBundle } from '../support/client-page.ts'

/** Names that must never reach a browser bundle: the wire schema's validator, server code. */
const FORBIDDEN = ['zod', 'hono', 'better-sqlite3', 'node:']

describe('client browser bundle', () => {
  it('holds no zod and nothing server-side, and imports nothing', async () => {
    const code = await buildClientBundle()
    console.log(
      `client browser bundle (deps bundled): ${code.length} B, ${gzipSync(code).length} B gzip`,
    )
    for (const name of FORBIDDEN) expect(code, name).not.toContain(name)
    // Every dependency is inside: a page loads this one file.
    expect(code).not.toMatch(/\bimport\s*[\w{*$]|\bimport\s*\(|\bfrom\s*["'`]/)
    expect(code).toMatch(/export\s*\{[^}]*\bcreateClient\b/)
  })
})
