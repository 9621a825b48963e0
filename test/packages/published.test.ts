// The published packages as an app outside this monorepo gets them: packed with `pnpm pack`,
// linted with publint and attw, installed from the tarballs into a fresh React 19 + Vite app
// (everything else from the registry, no workspace links), type-checked, built, served, and
// clicked in Chromium against the real collector.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createCollector,
  createSqliteStore,
  provisionProject,
  startServer,
} from '@tightloop/collector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, skipBrowser, type TestBrowser } from '../support/browser.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The packages published to npm, by directory under packages/. */
export const PUBLISHED = ['schema', 'pipeline', 'client', 'widget', 'collector']
/** Versions the app installs from the registry (React 19 with its own Vite plugin). */
const APP_DEPENDENCIES = { react: '19.3.1', 'react-dom': '19.3.1' }
const APP_DEV_DEPENDENCIES = {
  '@types/react': '19.3.0',
  '@types/react-dom': '19.3.0',
  '@vitejs/plugin-react': '6.3.0',
  typescript: '5.9.3',
  vite: '8.3.8',
}
const INSTALL_TIMEOUT_MS = 240_000 // a cold npm cache downloads React, Vite and TypeScript

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, stdio: 'pipe', encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS })

/** Runs a command and fails with its own output (not a bare exit code) when it fails. */
function runOrExplain(command: string, args: string[], cwd: string): string {
  try {
    return run(command, args, cwd)
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    )
  }
}

let packs: string
const versionOf = (name: string): string =>
  JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')).version
const tarball = (name: string) => join(packs, `tightloop-${name}-${versionOf(name)}.tgz`)

beforeAll(() => {
  // What `pnpm build` does for these packages, so the test packs the current source.
  runOrExplain(
    'pnpm',
    ['-r', ...PUBLISHED.flatMap((p) => ['--filter', `./packages/${p}`]), 'build'],
    ROOT,
  )
  packs = mkdtempSync(join(tmpdir(), 'tightloop-packs-'))
  for (const name of PUBLISHED) {
    runOrExplain('pnpm', ['pack', '--pack-destination', packs], join(ROOT, 'packages', name))
  }
}, INSTALL_TIMEOUT_MS)

afterAll(() => rmSync(packs, { recursive: true, force: true }))

describe('published packages', () => {
  it(
    'are what publint and attw expect: no errors, no warnings',
    () => {
      expect(readdirSync(packs).sort()).toEqual(
        PUBLISHED.map((p) => `tightloop-${p}-${versionOf(p)}.tgz`).sort(),
      )
      for (const name of PUBLISHED) {
        const lint = runOrExplain('node_modules/.bin/publint', [tarball(name), '--strict'], ROOT)
        expect(lint, name).toContain('All good!')
        // ESM only, on purpose: node10 and require() are out of scope (the attw profile says so).
        runOrExplain('node_modules/.bin/attw', [tarball(name), '--profile', 'esm-only'], ROOT)
      }
    },
    INSTALL_TIMEOUT_MS,
  )

  it('ship built JavaScript with declarations and a licence, never TypeScript sources or tests', () => {
    for (const name of PUBLISHED) {
      const files = runOrExplain('tar', ['-tzf', tarball(name)], ROOT)
        .trim()
        .split('\n')
      expect(files, name).toContain('package/LICENSE')
      expect(files, name).toContain('package/dist/index.js')
      expect(files, name).toContain('package/dist/index.d.ts')
      expect(
        files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts')),
        name,
      ).toEqual([])
      expect(
        files.filter((f) => f.includes('.test.')),
        name,
      ).toEqual([])
      const manifest = JSON.parse(
        run('tar', ['-xzOf', tarball(name), 'package/package.json'], ROOT),
      )
      expect(manifest, name).toMatchObject({ license: 'MIT', type: 'module' })
      expect(manifest.private, name).toBeUndefined()
      expect(JSON.stringify(manifest.exports), name).not.toContain('/src/')
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain('workspace:')
    }
  })
})

describe.skipIf(skipBrowser)('a React 19 + Vite app installed from the tarballs', () => {
  let app: string
  let appServer: Server
  let appUrl: string
  let collector: Awaited<ReturnType<typeof startCollector>>
  let browser: TestBrowser

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'tightloop-react-app-'))
    cpSync(join(ROOT, 'test/packages/react-app'), app, { recursive: true })
    const local = Object.fromEntries(
      ['schema', 'client', 'widget'].map((p) => [`@tightloop/${p}`, `file:${tarball(p)}`]),
    )
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'chat-ui',
        private: true,
        type: 'module',
        dependencies: { ...local, ...APP_DEPENDENCIES },
        devDependencies: APP_DEV_DEPENDENCIES,
        // The packages depend on each other by version; point those at the tarballs too.
        overrides: local,
      }),
    )
    runOrExplain('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], app)

    appServer = await serveStatic(join(app, 'dist'))
    const address = appServer.address() as { port: number }
    appUrl = `http://127.0.0.1:${address.port}`
    collector = await startCollector(appUrl)
    writeFileSync(
      join(app, 'src/config.ts'),
      `export const config = ${JSON.stringify({ endpoint: collector.url, key: collector.publicKey })}\n`,
    )
    browser = await launchBrowser()
  }, INSTALL_TIMEOUT_MS)

  afterAll(async () => {
    await browser?.close()
    await collector?.close()
    appServer?.close()
    if (app) rmSync(app, { recursive: true, force: true })
  })

  it(
    'type-checks with the JSX declarations, and only with them',
    () => {
      runOrExplain('node_modules/.bin/tsc', ['-p', '.'], app)
      const main = join(app, 'src/main.tsx')
      const source = readFileSync(main, 'utf8')
      writeFileSync(main, source.replace("import '@tightloop/widget/react'\n", ''))
      let errors = ''
      try {
        run('node_modules/.bin/tsc', ['-p', '.'], app)
      } catch (err) {
        errors = (err as { stdout: string }).stdout
      }
      expect(errors).toContain("Property 'tightloop-feedback' does not exist")
      writeFileSync(main, source)
    },
    INSTALL_TIMEOUT_MS,
  )

  it(
    'builds, and in Chromium a "Not helpful" and an edit reach the collector',
    async () => {
      runOrExplain('node_modules/.bin/vite', ['build', '--logLevel', 'warn'], app)
      const page = await browser.context.newPage()
      await page.goto(`${appUrl}/index.html`)
      await page.getByRole('button', { name: 'Not helpful' }).click()
      await page.keyboard.press('Escape')
      await page.getByRole('button', { name: 'Edit answer' }).click()
      const editor = page.getByRole('textbox')
      await editor.fill('Open Settings, then Security, then Reset PIN, and confirm with your card.')
      await editor.press('Enter')
      await page.evaluate(() => (window as unknown as FlushWindow).tightloopClient.flush())
      const events = await collector.events()
      const about = events.filter((e) => e.requestId === 'req_react_1')
      expect(about.map((e) => e.signal).sort()).toEqual(
        expect.arrayContaining(['explicit_correction', 'thumbs_down']),
      )
      expect(about.filter((e) => e.signal === 'thumbs_down')).toHaveLength(1)
      const correction = about.find((e) => e.signal === 'explicit_correction')
      expect(correction).toMatchObject({
        prompt: 'How do I reset my PIN?',
        correctionText: 'Open Settings, then Security, then Reset PIN, and confirm with your card.',
      })
      await page.close()
    },
    INSTALL_TIMEOUT_MS,
  )

  it('a plain TypeScript page with only @tightloop/client delivers its event', async () => {
    const page = await browser.context.newPage()
    await page.goto(`${appUrl}/client.html`)
    await page.getByRole('button', { name: 'Not helpful' }).click()
    await page.evaluate(() => (window as unknown as FlushWindow).tightloopClient.flush())
    const events = await collector.events()
    expect(events.filter((e) => e.requestId === 'req_plain_1')).toEqual([
      expect.objectContaining({ signal: 'thumbs_down', prompt: 'Where is my card?' }),
    ])
    await page.close()
  })
})

type FlushWindow = { tightloopClient: { flush(): Promise<void> } }

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
}

/** Serves a built app's files on loopback, as any static host would. */
function serveStatic(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const file = join(dir, path === '/' ? 'index.html' : path)
    if (!file.startsWith(dir)) return res.writeHead(404).end()
    try {
      const body = readFileSync(file)
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** The real collector on a temp SQLite file, its one project allowing the app's origin. */
async function startCollector(origin: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tightloop-published-'))
  const store = createSqliteStore(join(dir, 'tightloop.db'))
  await store.migrate()
  const project = await provisionProject(store, { name: 'chat-ui', allowedOrigins: [origin] })
  const server = await startServer({ fetch: createCollector({ store }).fetch, port: 0 })
  return {
    ...server,
    store,
    dir,
    publicKey: project.publicKey,
    secretKey: project.secretKey!,
    async events(): Promise<Record<string, unknown>[]> {
      const res = await fetch(`${server.url}/v1/events`, {
        headers: { authorization: `Bearer ${project.secretKey}` },
      })
      return (await res.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    },
    async close() {
      await server.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
