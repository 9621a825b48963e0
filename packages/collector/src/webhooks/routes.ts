// The webhook routes, behind the secret key: POST/GET /v1/webhooks, DELETE /v1/webhooks/:id
// and GET /v1/webhooks/:id/deliveries. A webhook's secret is answered once, at creation.
import { Hono, type MiddlewareHandler } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { CollectorError } from '../errors.ts'
import { allowQuery } from '../query-params.ts'
import { readJsonBody } from '../routes/admin.ts'
import type { CollectorContext } from '../routes/context.ts'
import { createWebhook, listWebhookDeliveries, unknownWebhook, webhookView } from './manage.ts'

const DEFAULT_DELIVERIES = 50
const MAX_DELIVERIES = 500

/**
 * The webhook routes.
 *
 * @example app.route('/', webhookRoutes(ctx, secret))
 */
export function webhookRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>()
  const projectId = (c: { get(key: 'caller'): CollectorEnv['Variables']['caller'] }) =>
    c.get('caller').project.id

  app.post('/v1/webhooks', secret, allowQuery(), async (c) => {
    const selfHost = c.req.header('host') ?? new URL(c.req.url).host
    const webhook = await createWebhook(
      ctx.store,
      projectId(c),
      await readJsonBody(c),
      ctx.now(),
      selfHost,
    )
    ctx.webhooks.forget(projectId(c))
    return c.json({ webhook }, 201)
  })

  app.get('/v1/webhooks', secret, allowQuery(), async (c) => {
    const hooks = await ctx.store.listWebhooks(projectId(c))
    return c.json({ webhooks: hooks.map(webhookView) })
  })

  app.delete('/v1/webhooks/:id', secret, allowQuery(), async (c) => {
    const id = c.req.param('id')
    if (!(await ctx.store.deleteWebhook(projectId(c), id))) throw unknownWebhook(id)
    ctx.webhooks.forget(projectId(c))
    return c.json({ deleted: id })
  })

  app.get('/v1/webhooks/:id/deliveries', secret, allowQuery('limit'), async (c) => {
    const raw = c.req.query('limit')
    const limit = raw === undefined ? DEFAULT_DELIVERIES : Number(raw)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERIES) {
      throw new CollectorError(400, 'invalid_query', `limit must be 1 to ${MAX_DELIVERIES}`)
    }
    const deliveries = await listWebhookDeliveries(
      ctx.store,
      projectId(c),
      c.req.param('id'),
      limit,
    )
    return c.json({ deliveries })
  })

  return app
}
