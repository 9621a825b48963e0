// The collector as deployed: the API plus the script tag, the demo and the dashboard.
import { type CollectorOptions, createCollector } from '@tightloop/collector'
import { Hono } from 'hono'
import { ASSET_DIRS, sendAsset } from './assets.ts'
import { pageSecurityHeaders } from './page-security.ts'

const SCRIPT_MAX_AGE_S = 300 // sites pick up a new release within 5 minutes
const PAGE_MAX_AGE_S = 0

/** Options of the deployed app. */
export interface ServerAppOptions extends CollectorOptions {
  /** Public key the demo page is wired to. */
  demoPublicKey?: string
}

/**
 * The full app: `/v1/*` API, `/tightloop.js` (and its language packs), `/demo/` and `/dashboard/`.
 *
 * @example serve({ fetch: createServerApp({ store }).fetch })
 */
export function createServerApp(options: ServerAppOptions): Hono {
  const app = new Hono()
  app.get('/tightloop.js', (c) =>
    sendAsset(c, ASSET_DIRS.embed, 'tightloop.js', { maxAgeSeconds: SCRIPT_MAX_AGE_S }),
  )
  app.get('/tightloop.js.map', (c) =>
    sendAsset(c, ASSET_DIRS.embed, 'tightloop.js.map', { maxAgeSeconds: SCRIPT_MAX_AGE_S }),
  )
  // Language packs the script tag fetches from any site it is installed on: public, static.
  app.get('/tightloop/lang/:file', (c) => {
    c.header('Access-Control-Allow-Origin', '*')
    return sendAsset(c, ASSET_DIRS.embed, `lang/${c.req.param('file')}`, {
      maxAgeSeconds: SCRIPT_MAX_AGE_S,
    })
  })
  // The demo and the dashboard (which holds a secret key) can run no script but their own and
  // cannot be framed by another site.
  app.use('/demo/*', pageSecurityHeaders())
  app.use('/dashboard/*', pageSecurityHeaders())
  app.get('/', (c) => c.redirect('/demo/'))
  app.get('/demo', (c) => c.redirect('/demo/'))
  app.get('/demo/*', (c) => {
    const file = c.req.path.slice('/demo/'.length) || 'index.html'
    return sendAsset(c, ASSET_DIRS.demo, file, {
      maxAgeSeconds: PAGE_MAX_AGE_S,
      ...(file.endsWith('.html') && {
        transform: (html: string) =>
          html.replaceAll('__TIGHTLOOP_PUBLIC_KEY__', options.demoPublicKey ?? ''),
      }),
    })
  })
  app.get('/dashboard', (c) => c.redirect('/dashboard/'))
  app.get('/dashboard/*', (c) => {
    const file = c.req.path.slice('/dashboard/'.length) || 'index.html'
    return sendAsset(c, ASSET_DIRS.dashboard, file, { maxAgeSeconds: PAGE_MAX_AGE_S })
  })
  app.route('/', createCollector(options))
  // The mounted collector's own notFound does not apply to the outer app: say it as JSON here.
  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', message: `No route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  )
  return app
}
