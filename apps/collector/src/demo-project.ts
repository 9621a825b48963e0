// The project a first start creates when no keys are configured, so a newcomer can click around.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { type Provisioned, provisionProject, type Store } from '@tightloop/collector'
import type { ServerConfig } from './config.ts'

/** Where the demo project's keys are kept between starts (the secret is stored hashed in the DB). */
export function demoKeysPath(config: ServerConfig): string {
  const dir = /^postgres/.test(config.database) ? resolve('data') : dirname(config.database)
  return join(dir, 'demo-project.json')
}

/**
 * Creates the demo project once; later starts reuse it. Its origins are the demo page's own
 * plus `TIGHTLOOP_ALLOWED_ORIGINS` when set (the environment wins then); without it, the
 * origins stored (set with `tightloop project set --origins`) survive the restart, with the
 * demo page's own added if missing.
 */
export async function ensureDemoProject(
  store: Store,
  config: ServerConfig,
): Promise<Provisioned & { keysFile: string }> {
  const keysFile = demoKeysPath(config)
  const own = [`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`]
  const origins = [...new Set([...own, ...(config.allowedOrigins ?? [])])]
  if (existsSync(keysFile)) {
    const saved = JSON.parse(readFileSync(keysFile, 'utf8')) as {
      publicKey: string
      secretKey: string
    }
    const key = await store.findKey(saved.publicKey)
    const stored = key && (await store.getProject(key.projectId))
    if (stored) {
      const found = await provisionProject(store, {
        publicKey: saved.publicKey,
        allowedOrigins: config.allowedOrigins
          ? origins
          : [...new Set([...stored.allowedOrigins, ...own])],
      })
      return { ...found, secretKey: saved.secretKey, keysFile }
    }
  }
  const created = await provisionProject(store, {
    name: 'demo',
    allowedOrigins: origins,
    scrubPii: true,
  })
  mkdirSync(dirname(keysFile), { recursive: true })
  writeFileSync(
    keysFile,
    `${JSON.stringify({ publicKey: created.publicKey, secretKey: created.secretKey }, null, 2)}\n`,
    { mode: 0o600 },
  )
  return { ...created, keysFile }
}
