// Serves the built browser assets (script tag, demo, dashboard) from their dist folders.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Context } from 'hono'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Where each built asset tree lives in the workspace. */
export const ASSET_DIRS = {
  embed: join(REPO_ROOT, 'packages/embed/dist'),
  demo: join(REPO_ROOT, 'apps/demo/dist'),
  dashboard: join(REPO_ROOT, 'apps/dashboard/dist'),
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
}

/** How a file is sent: cache lifetime and an optional rewrite of its text. */
export interface AssetOptions {
  maxAgeSeconds: number
  transform?: (text: string) => string
}

/**
 * Answers with `dir/file`, an ETag and caching headers; 404 JSON when it is missing or
 * outside `dir`. A missing build says how to make it.
 */
export async function sendAsset(c: Context, dir: string, file: string, options: AssetOptions) {
  const path = normalize(join(dir, file))
  if (!path.startsWith(dir + sep))
    return c.json({ error: { code: 'not_found', message: 'Not found' } }, 404)
  let body: Buffer
  try {
    body = await readFile(path)
  } catch {
    return c.json(
      {
        error: {
          code: 'not_found',
          message: `${file} is not built; run "pnpm build" at the repository root`,
        },
      },
      404,
    )
  }
  const out = options.transform ? Buffer.from(options.transform(body.toString('utf8'))) : body
  const etag = `"${createHash('sha1').update(out).digest('base64url')}"`
  c.header('ETag', etag)
  c.header('Cache-Control', `public, max-age=${options.maxAgeSeconds}`)
  c.header('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream')
  c.header('X-Content-Type-Options', 'nosniff')
  if (c.req.header('if-none-match') === etag) return c.body(null, 304)
  return c.body(new Uint8Array(out), 200)
}
