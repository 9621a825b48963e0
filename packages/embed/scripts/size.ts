// Size budget of the script tag: builds dist/tightloop.js afresh (into a temp folder), prints
// its raw and gzip bytes, and fails past the budget or when server code or zod got in.
//
//   pnpm --filter @tightloop/embed size
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

/** The budget: client, every control, styles and preact, gzip at the default level (6). */
export const BUDGET_GZIP_BYTES = 16 * 1024
/** Where we want to be (Sentry's feedback add-on alone is about 17 KB). */
export const GOAL_GZIP_BYTES = 12 * 1024
/** Source paths that must never be bundled: zod, the server, its engines. */
export const FORBIDDEN_SOURCES = [
  /\bzod\b/,
  /packages\/collector\//,
  /packages\/pipeline\//,
  /apps\//,
  /\bhono\b/,
  /better-sqlite3/,
  /node_modules\/(\.pnpm\/)?pg[@/]/,
  /packages\/schema\/src\/(index|events|errors)\.ts/,
]
/** Text that must never appear in the bundle. */
export const FORBIDDEN_TEXT = ['zod', 'createCollector', 'node:', 'process.env']

/** What `measureScriptTag` reports. */
export interface ScriptTagSize {
  rawBytes: number
  gzipBytes: number
  gzip9Bytes: number
  sources: string[]
  forbidden: string[]
}

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Builds the script tag with its own vite config and measures it.
 *
 * @example const { gzipBytes } = await measureScriptTag()
 */
export async function measureScriptTag(): Promise<ScriptTagSize> {
  const outDir = mkdtempSync(join(tmpdir(), 'tightloop-embed-size-'))
  try {
    await build({
      root,
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    })
    const code = readFileSync(join(outDir, 'tightloop.js'))
    const map = JSON.parse(readFileSync(join(outDir, 'tightloop.js.map'), 'utf8'))
    const sources: string[] = map.sources
    const text = code.toString('utf8')
    const forbidden = [
      ...sources.filter((s) => FORBIDDEN_SOURCES.some((re) => re.test(s))),
      ...FORBIDDEN_TEXT.filter((t) => text.includes(t)).map((t) => `text "${t}"`),
    ]
    return {
      rawBytes: code.length,
      gzipBytes: gzipSync(code).length,
      gzip9Bytes: gzipSync(code, { level: 9 }).length,
      sources,
      forbidden,
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = await measureScriptTag()
  console.log(
    `dist/tightloop.js  ${size.rawBytes} B raw  ${size.gzipBytes} B gzip (-9: ${size.gzip9Bytes} B)`,
  )
  console.log(`budget ${BUDGET_GZIP_BYTES} B gzip, goal ${GOAL_GZIP_BYTES} B`)
  if (size.forbidden.length) console.error(`forbidden in the bundle: ${size.forbidden.join(', ')}`)
  const over = size.gzipBytes - BUDGET_GZIP_BYTES
  if (over > 0) console.error(`OVER the budget by ${over} B`)
  process.exit(size.forbidden.length || over > 0 ? 1 : 0)
}
