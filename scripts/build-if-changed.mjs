// `pnpm start` builds first, but only when something it builds from changed since the last
// build: a fingerprint (path, size, modification time) of every source and config file is
// compared with the one written after the last successful build, and every output folder
// must still exist. A second start with nothing changed skips the ~20 s build.
// Usage: node scripts/build-if-changed.mjs [--force | --check]  (--check: exit 3 if a build is due)
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STAMP = join(ROOT, 'node_modules/.cache/tightloop-build.json')
const SKIP = new Set(['node_modules', 'dist', '.tsbuild', 'test-results', 'data', '.git'])
/** Folders whose files a build reads, and the outputs it must leave. */
const INPUTS = ['packages', 'apps', 'package.json', 'pnpm-lock.yaml', 'tsconfig.base.json']
const OUTPUTS = [
  'apps/collector/dist/main.js',
  'apps/dashboard/dist/index.html',
  'apps/demo/dist/index.html',
  'packages/embed/dist/tightloop.js',
]

function* files(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) {
    yield [path, stat]
    return
  }
  for (const entry of readdirSync(path).sort()) {
    if (!SKIP.has(entry)) yield* files(join(path, entry))
  }
}

function fingerprint() {
  const hash = createHash('sha256')
  for (const input of INPUTS) {
    const path = join(ROOT, input)
    if (!existsSync(path)) continue
    for (const [file, stat] of files(path)) {
      hash.update(`${relative(ROOT, file)}\0${stat.size}\0${stat.mtimeMs}\n`)
    }
  }
  return hash.digest('hex')
}

const force = process.argv.includes('--force')
const before = fingerprint()
const previous = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')).fingerprint : null
if (!force && previous === before && OUTPUTS.every((out) => existsSync(join(ROOT, out)))) {
  console.log('tightloop: build is up to date (sources unchanged since the last build)')
  process.exit(0)
}
if (process.argv.includes('--check')) {
  console.log('tightloop: a build is due (sources changed since the last build)')
  process.exit(3)
}
const build = spawnSync('pnpm', ['-r', '--if-present', 'build'], {
  cwd: ROOT,
  stdio: 'inherit',
  shell: process.platform === 'win32',
})
if (build.status !== 0) process.exit(build.status ?? 1)
// The build writes only ignored folders, so the fingerprint taken before it still holds;
// taken after, it would also catch a source edited during the build (then: build again).
mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true })
writeFileSync(
  STAMP,
  JSON.stringify({ fingerprint: fingerprint(), builtAt: new Date().toISOString() }),
)
