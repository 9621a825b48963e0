// Creating, listing and removing webhooks: the HTTP routes and the CLI share these.
import { randomBytes } from 'node:crypto'
import { CollectorError } from '../errors.ts'
import type { DeliveryRecord, Store, WebhookRecord } from '../store/types.ts'
import { randomId } from '../store/util.ts'
import { WEBHOOK_EVENTS, type WebhookEventType } from '../store/webhook-types.ts'

const MAX_URL_LENGTH = 2_048
const MIN_SECRET_LENGTH = 16 // shorter secrets can be guessed
const MAX_SECRET_LENGTH = 256
const INPUT_KEYS = new Set(['url', 'events', 'secret', 'format'])
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i

const invalid = (message: string) => new CollectorError(400, 'invalid_body', message)

/** A webhook as shown: everything but its secret. */
export type WebhookView = Omit<WebhookRecord, 'secret' | 'projectId' | 'createdAt'> & {
  createdAt: string
}

/** The view of a webhook that never holds its secret. */
export const webhookView = (w: WebhookRecord): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events,
  format: w.format,
  createdAt: new Date(w.createdAt).toISOString(),
})

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** A delivery as shown: its state, and every attempt. */
export const deliveryView = (d: DeliveryRecord) => ({
  id: d.id,
  event: d.eventType,
  status: d.deliveredAt !== null ? 'delivered' : d.failedAt !== null ? 'failed' : 'pending',
  createdAt: iso(d.createdAt),
  nextAttemptAt: iso(d.nextAttemptAt),
  deliveredAt: iso(d.deliveredAt),
  failedAt: iso(d.failedAt),
  attempts: d.attempts.map((a) => ({ at: iso(a.at), status: a.status, error: a.error })),
})

/**
 * The webhook URL if it is http(s) and not the collector itself (`selfHost`, as `host:port`),
 * else 400.
 *
 * @example readWebhookUrl('https://hooks.slack.com/services/T/B/x', 'collector:8787')
 */
export function readWebhookUrl(value: unknown, selfHost?: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
    throw invalid(`url must be an http or https URL of at most ${MAX_URL_LENGTH} characters`)
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid('url is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`url must be http or https, not ${url.protocol.slice(0, 20)}`)
  }
  if (selfHost && pointsAtSelf(url, selfHost)) {
    throw invalid('url points at this collector: a webhook must go to another service')
  }
  return url.toString()
}

/** Same host and port, or a loopback name on the port of a collector reached on loopback. */
function pointsAtSelf(url: URL, selfHost: string): boolean {
  const self = new URL(`http://${selfHost}`)
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80')
  if (url.host.toLowerCase() === self.host.toLowerCase() && port(url) === port(self)) return true
  return LOOPBACK.test(url.hostname) && LOOPBACK.test(self.hostname) && port(url) === port(self)
}

/**
 * Validates a `POST /v1/webhooks` body and stores the webhook; returns it with its secret,
 * the only time the secret is shown.
 *
 * @example const { secret } = await createWebhook(store, projectId, { url, events: ['escalation'] }, Date.now())
 */
export async function createWebhook(
  store: Store,
  projectId: string,
  input: Record<string, unknown>,
  now: number,
  selfHost?: string,
): Promise<WebhookView & { secret: string }> {
  const unknown = Object.keys(input).find((key) => !INPUT_KEYS.has(key))
  if (unknown)
    throw invalid(`Unknown field "${unknown}"; a webhook takes url, events, secret, format`)
  const url = readWebhookUrl(input.url, selfHost)
  const events = input.events
  if (
    !Array.isArray(events) ||
    events.length === 0 ||
    !events.every((e) => WEBHOOK_EVENTS.includes(e as WebhookEventType))
  ) {
    throw invalid(`events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`)
  }
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`
  if (
    typeof secret !== 'string' ||
    secret.length < MIN_SECRET_LENGTH ||
    secret.length > MAX_SECRET_LENGTH
  ) {
    throw invalid(`secret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters`)
  }
  const format = input.format ?? 'json'
  if (format !== 'json' && format !== 'slack') throw invalid('format must be "json" or "slack"')
  const webhook: WebhookRecord = {
    id: randomId('wh'),
    projectId,
    url,
    events: [...new Set(events as WebhookEventType[])],
    secret,
    format,
    createdAt: now,
  }
  await store.createWebhook(webhook)
  return { ...webhookView(webhook), secret }
}

/** The 404 of a webhook id the project does not have. */
export const unknownWebhook = (id: string) =>
  new CollectorError(404, 'not_found', `No webhook ${id.slice(0, 100)} in this project`)

/**
 * A webhook's latest deliveries, newest first; 404 when the project has no such webhook.
 *
 * @example const deliveries = await listWebhookDeliveries(store, projectId, 'wh_…', 50)
 */
export async function listWebhookDeliveries(
  store: Store,
  projectId: string,
  webhookId: string,
  limit: number,
) {
  const hooks = await store.listWebhooks(projectId)
  if (!hooks.some((h) => h.id === webhookId)) throw unknownWebhook(webhookId)
  return (await store.listDeliveries(projectId, webhookId, limit)).map(deliveryView)
}
