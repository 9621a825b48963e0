// A person's rights over their data (GDPR art. 15 and 17), export lineage and retention, all
// behind the secret key:
// - `GET /v1/users/:userId/events` streams every raw event of the user as NDJSON.
// - `DELETE /v1/users/:userId` erases them and answers what was removed and which earlier
//   exports held them. An unknown user answers 200 with zero counts: erasing is idempotent, so
//   a retried request (its first answer lost) is not an error, and there is nothing to hide
//   from the secret key's holder.
// - `GET /v1/exports` lists the recorded export runs, newest first.
// - `POST /v1/retention` applies the project's `retentionDays` now.
import { MAX_ID_LENGTH } from '@tightloop/schema'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import type { CollectorEnv } from '../app.ts'
import { CollectorError } from '../errors.ts'
import { NDJSON_HEADERS, ndjsonStream } from '../ndjson.ts'
import { applyRetention } from '../retention.ts'
import type { ErasureResult, Store } from '../store/types.ts'
import type { CollectorContext } from './context.ts'

/** Rejects any query parameter: these routes take none. */
function noQuery(c: Context) {
  const names = Object.keys(c.req.queries())
  if (names.length > 0) {
    throw new CollectorError(
      400,
      'invalid_query',
      `Unknown query parameter "${names[0]}"; this route takes none`,
    )
  }
}

/**
 * A user id as events carry it: 1 to `MAX_ID_LENGTH` characters, else 400.
 *
 * @example readUserId('u-1') // 'u-1'
 */
export function readUserId(userId: string | undefined): string {
  if (!userId || userId.length > MAX_ID_LENGTH) {
    throw new CollectorError(
      400,
      'invalid_query',
      `userId must be 1 to ${MAX_ID_LENGTH} characters, as in the events`,
    )
  }
  return userId
}

/**
 * Erases a user of a project; the HTTP route and the CLI share it.
 *
 * @example const removed = await eraseUser(store, project.id, 'u-1', Date.now())
 */
export function eraseUser(
  store: Store,
  projectId: string,
  userId: string,
  now: number,
): Promise<ErasureResult> {
  return store.eraseUser(projectId, readUserId(userId), now)
}

/**
 * The personal-data routes.
 *
 * @example app.route('/', userRoutes(ctx, secret))
 */
export function userRoutes(
  ctx: CollectorContext,
  secret: MiddlewareHandler<CollectorEnv>,
): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>()

  app.get('/v1/users/:userId/events', secret, (c) => {
    noQuery(c)
    const userId = readUserId(c.req.param('userId'))
    const { project } = c.get('caller')
    return new Response(ndjsonStream(ctx.store.streamUserEvents(project.id, userId)), {
      headers: NDJSON_HEADERS,
    })
  })

  app.delete('/v1/users/:userId', secret, async (c) => {
    noQuery(c)
    const { project } = c.get('caller')
    const removed = await eraseUser(ctx.store, project.id, c.req.param('userId'), ctx.now())
    return c.json(removed)
  })

  app.get('/v1/exports', secret, async (c) => {
    noQuery(c)
    return c.json({ exports: await ctx.store.listExports(c.get('caller').project.id) })
  })

  app.post('/v1/retention', secret, async (c) => {
    noQuery(c)
    return c.json(await applyRetention(ctx.store, c.get('caller').project, ctx.now()))
  })

  return app
}
