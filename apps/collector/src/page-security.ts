// Security headers of the pages the collector serves (/demo/, /dashboard/): a strict
// Content-Security-Policy, no framing, no referrer. The dashboard holds a secret key in its
// page, so no other site may frame it (clickjacking) and no script but its own may run.
import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'

/** The policy; `inlineScripts` are hashes of the page's own inline scripts, if any. */
export function contentSecurityPolicy(inlineScripts: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self'${inlineScripts.map((hash) => ` '${hash}'`).join('')}`,
    // Preact and the widget set styles; no script can come in through a style.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/**
 * `'sha256-…'` sources for the classic inline scripts of an HTML page the collector itself
 * built: the demo shows the two-line install, whose first line is an inline queue stub, and
 * allows exactly that text (a site with a CSP does the same; the README shows how).
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = []
  for (const match of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
    hashes.push(`sha256-${createHash('sha256').update(match[1]!).digest('base64')}`)
  }
  return hashes
}

/** Middleware adding the headers to every answer under the mounted path. */
export function pageSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    // A 304 keeps the headers of the cached page, whose hashes it cannot recompute here.
    if (c.res.status === 304) return
    const type = c.res.headers.get('content-type') ?? ''
    let hashes: string[] = []
    if (type.startsWith('text/html') && c.res.status === 200) {
      hashes = inlineScriptHashes(await c.res.clone().text())
    }
    c.res.headers.set('Content-Security-Policy', contentSecurityPolicy(hashes))
    c.res.headers.set('X-Frame-Options', 'DENY')
    c.res.headers.set('Referrer-Policy', 'no-referrer')
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
  }
}
