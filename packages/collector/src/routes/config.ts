// GET /v1/config: what a browser widget may know about its project with only the public key.
import type { Context } from 'hono'
import { authenticateRequest } from '../auth.ts'
import type { CollectorContext } from './context.ts'

const CONFIG_MAX_AGE_S = 300 // a reason list edited in the project reaches widgets within 5 minutes

/** The public configuration of a project: only its escalation reasons. */
export interface PublicConfig {
  escalationReasons: string[]
}

/**
 * Answers `{ escalationReasons }` for `?key=pk_…` (or `Authorization: Bearer`), with the
 * origin rules of ingest: an allowed origin is echoed, any other gets 403. The documented
 * exception to "a public key reads nothing": the reason list is shown to every user anyway.
 *
 * @example app.get('/v1/config', (c) => publicConfig(c, ctx))
 */
export async function publicConfig(c: Context, ctx: CollectorContext) {
  const at = ctx.now()
  await ctx.limits.checkAddress(c, at)
  const { project } = await authenticateRequest(c, ctx, at, true)
  ctx.checkOrigin(c, project)
  c.header('Cache-Control', `public, max-age=${CONFIG_MAX_AGE_S}`)
  const body: PublicConfig = { escalationReasons: [...project.escalationReasons] }
  return c.json(body)
}
