// Size budget of @tightloop/client, per import scenario (as sentry keeps its size limits):
// builds each with vite in library mode into a temp folder, minifies it fully, prints raw and
// gzip bytes with dependencies external and bundled, and exits non-zero when a budgeted
// scenario passes its gzip budget or when "zod" appears in any build.
//
//   pnpm --filter @tightloop/client size
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, minify } from 'vite'

/** Named import scenarios; `budget` is gzip bytes, dependencies external, names as written. */
const SCENARIOS = [
  // What the widget and the script tag ship: the runtime with both detectors.
  { name: '{ createClient }', imports: 'createClient', budget: 3 * 1024 },
  // Everything, for reference: storages, similarity, constants.
  { name: 'everything (export *)', imports: '*' },
]
/** Names that must never reach a browser bundle. */
const FORBIDDEN = ['zod']

const root = fileURLToPath(new URL('..', import.meta.url))
const entry = join(root, 'src/index.ts')
const dependencies = Object.keys(
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {},
)
const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`))

async function bundle(imports, external) {
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
async function minified(code, manglePrivate) {
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
const row = (name, code) =>
  `${name.padEnd(46)} ${String(code.length).padStart(7)} B raw ${String(gzip(code)).padStart(6)} B gzip`

let failed = false
for (const { name, imports, budget } of SCENARIOS) {
  const externalBuild = await bundle(imports, true)
  const bundledBuild = await bundle(imports, false)
  const builds = [
    ['deps external', await minified(externalBuild, false)],
    ['deps external, _private mangled', await minified(externalBuild, true)],
    ['deps bundled', await minified(bundledBuild, false)],
    ['deps bundled, _private mangled', await minified(bundledBuild, true)],
  ]
  console.log(name)
  for (const [label, code] of builds) console.log(row(`  ${label}`, code))
  if (budget) {
    const measured = gzip(builds[0][1])
    const verdict = measured <= budget ? 'within' : `OVER by ${measured - budget} B`
    console.log(
      `  budget ${budget} B gzip (deps external, names as written): ${measured} B, ${verdict}`,
    )
    if (measured > budget) failed = true
  }
  for (const [label, code] of builds) {
    for (const word of FORBIDDEN) {
      if (code.includes(word)) {
        console.error(
          `  "${word}" appears in the ${label} build: a browser bundle must not carry it`,
        )
        failed = true
      }
    }
  }
}
process.exit(failed ? 1 : 0)
