// Size budget of @tightloop/client, per import scenario (as sentry keeps its size limits):
// builds each from the built package (dist/, as published) with vite in library mode into a
// temp folder, minifies it fully, prints raw and gzip bytes with dependencies external and bundled, and exits non-zero when the core passes
// its gzip budget or when "zod" appears in any build. `measureClient()` is the same
// measurement for src/size.test.ts, which runs it with every test.
//
//   pnpm --filter @tightloop/client size
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, minify } from 'vite'

/** The core's budget: gzip bytes, dependencies external, names as written. */
export const BUDGET_GZIP_BYTES = 3 * 1024
/** Named import scenarios; `budget` is gzip bytes, dependencies external, names as written. */
export const SCENARIOS = [
  // The core: queue, batching, backoff, beacons, tab election, storage fallback.
  { name: '{ createClient }', imports: 'createClient', budget: BUDGET_GZIP_BYTES },
  // Everything, for reference: storages, constants.
  { name: 'everything (export *)', imports: '*' },
]
/** Names that must never reach a browser bundle. */
export const FORBIDDEN = ['zod']

const root = fileURLToPath(new URL('..', import.meta.url))
// The published entry point (what an app's bundler gets from npm), built first: `tsc -b` is
// incremental, so this costs nothing when dist/ is current.
const entry = join(root, 'dist/index.js')
const buildPublished = () =>
  execFileSync(
    process.execPath,
    [join(root, '../../node_modules/typescript/bin/tsc'), '-b', join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  )
const dependencies = Object.keys(
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {},
)
const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`))

export async function bundle(imports, external) {
  const outDir = mkdtempSync(join(tmpdir(), 'tightloop-client-size-'))
  const scenario = join(outDir, 'scenario.js')
  writeFileSync(
    scenario,
    imports === '*'
      ? `export * from ${JSON.stringify(entry)}\n`
      : `export { ${imports} } from ${JSON.stringify(entry)}\n`,
  )
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      root,
      build: {
        outDir: join(outDir, 'out'),
        emptyOutDir: true,
        minify: true,
        sourcemap: false,
        lib: { entry: scenario, formats: ['es'], fileName: 'index' },
        rolldownOptions: { external: external ? isDependency : [] },
      },
    })
    const files = readdirSync(join(outDir, 'out')).filter((f) => f.endsWith('.js'))
    return files.map((f) => readFileSync(join(outDir, 'out', f), 'utf8')).join('\n')
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

// Vite's library mode keeps whitespace in ES output; minify it fully (oxc, as vite does for apps).
// With `mangle`, `_private` property names are shortened too, Preact's way: the shipping
// bundle (the embed build) can do the same.
export async function minified(code, manglePrivate) {
  const out = await minify('index.js', code, {
    module: true,
    compress: true,
    mangle: true,
    ...(manglePrivate && { mangleProps: { include: /^_/ } }),
  })
  if (out.errors.length) throw new Error(out.errors.map((e) => e.message).join('\n'))
  return out.code
}

const gzip = (code) => gzipSync(code, { level: 9 }).length

const row = (name, raw, gzipped) =>
  `${name.padEnd(46)} ${String(raw).padStart(7)} B raw ${String(gzipped).padStart(6)} B gzip`

/**
 * Builds and measures every scenario (or those whose name is in `only`). Each result has the
 * gzip bytes of each build, the `forbidden` words found, and `over` when past its budget.
 *
 * @example const [core] = await measureClient(['{ createClient }']); core.gzip // 2990
 */
export async function measureClient(only, { bundled = true } = {}) {
  buildPublished()
  const results = []
  for (const { name, imports, budget } of SCENARIOS) {
    if (only && !only.includes(name)) continue
    const externalBuild = await bundle(imports, true)
    const builds = [
      ['deps external', await minified(externalBuild, false)],
      ['deps external, _private mangled', await minified(externalBuild, true)],
    ]
    if (bundled) {
      const bundledBuild = await bundle(imports, false)
      builds.push(
        ['deps bundled', await minified(bundledBuild, false)],
        ['deps bundled, _private mangled', await minified(bundledBuild, true)],
      )
    }
    const sizes = builds.map(([label, code]) => ({ label, raw: code.length, gzip: gzip(code) }))
    const forbidden = builds.flatMap(([label, code]) =>
      FORBIDDEN.filter((word) => code.includes(word)).map(
        (word) => `"${word}" in the ${label} build`,
      ),
    )
    const measured = sizes[0].gzip
    results.push({
      code: builds[0][1],
      name,
      budget,
      gzip: measured,
      sizes,
      forbidden,
      over: budget !== undefined && measured > budget,
    })
  }
  return results
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let failed = false
  const results = await measureClient()
  const core = results[0].gzip
  for (const { name, budget, gzip: measured, sizes, forbidden, over } of results) {
    console.log(name)
    for (const { label, raw, gzip: gzipped } of sizes) console.log(row(`  ${label}`, raw, gzipped))
    if (name !== results[0].name)
      console.log(`  over the core (deps external): +${measured - core} B gzip`)
    if (budget) {
      const verdict = over
        ? `OVER by ${measured - budget} B`
        : `within, ${budget - measured} B to spare`
      console.log(
        `  budget ${budget} B gzip (deps external, names as written): ${measured} B, ${verdict}`,
      )
    }
    for (const word of forbidden) console.error(`  ${word}: a browser bundle must not carry it`)
    if (over || forbidden.length) failed = true
  }
  process.exit(failed ? 1 : 0)
}
