// The delivery worker: claims due outbox rows, POSTs them signed, records every attempt and
// retries with exponential backoff and jitter until 24 hours after the event, then gives up.
import type { DueDelivery, Store } from '../store/types.ts'
import type { WebhookEvent } from './event.ts'
import { SIGNATURE_HEADER, signBody } from './sign.ts'
import { toSlackMessage } from './slack.ts'

/** How often the outbox is polled for due deliveries. */
export const DELIVERY_POLL_MS = 2_000
/** A receiver that has not answered in 10 s has failed this attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000
/** A delivery is retried for 24 hours after its event, then marked failed. */
export const DELIVERY_RETRY_FOR_MS = 24 * 60 * 60 * 1000
const RETRY_START_MS = 10_000 // first retry after 10 s
const RETRY_CAP_MS = 60 * 60 * 1000 // then doubling, to at most an hour apart
const CLAIM_BATCH = 20 // deliveries sent at once per round

/** Options of `startWebhookDeliveries`; every side effect is injectable for tests. */
export interface WebhookDeliveryOptions {
  now?: () => number
  fetch?: typeof fetch
  everyMs?: number
  timeoutMs?: number
  retryForMs?: number
  /** Wait before retry number `attempt` (1 = after the first failure). */
  backoffMs?: (attempt: number) => number
  log?: (message: string, err?: unknown) => void
}

/**
 * Exponential backoff with ±50 % jitter: 10 s, 20 s, 40 s … capped at an hour.
 *
 * @example retryDelayMs(1) // between 5,000 and 15,000
 */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(RETRY_CAP_MS, RETRY_START_MS * 2 ** (attempt - 1))
  return Math.round(base * (0.5 + random()))
}

/** Why an attempt failed, without the URL or anything the receiver said. */
function failureOf(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout'
  return e?.cause?.code ?? e?.name ?? 'error'
}

/** The body a delivery posts: the JSON event, or its Slack message. */
export function deliveryBody(delivery: DueDelivery): string {
  const event = delivery.payload as WebhookEvent
  return JSON.stringify(delivery.webhook.format === 'slack' ? toSlackMessage(event) : event)
}

/**
 * Starts delivering the store's outbox now and every `everyMs`; `stop()` ends the schedule and
 * waits for the round in progress. What is not delivered stays in the outbox for the next
 * process, so a restart loses nothing.
 *
 * @example const deliveries = startWebhookDeliveries(store); …; await deliveries.stop()
 */
export function startWebhookDeliveries(store: Store, options: WebhookDeliveryOptions = {}) {
  const now = options.now ?? Date.now
  const send = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS
  const retryForMs = options.retryForMs ?? DELIVERY_RETRY_FOR_MS
  const backoff = options.backoffMs ?? ((attempt: number) => retryDelayMs(attempt))
  const log = options.log ?? ((message, err) => console.error(message, err ?? ''))

  const attempt = async (d: DueDelivery) => {
    const body = deliveryBody(d)
    const at = now()
    let status: number | null = null
    let error: string | null = null
    try {
      const res = await send(d.webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'tightloop-webhooks',
          'x-tightloop-event': d.eventType,
          'x-tightloop-delivery': d.id,
          [SIGNATURE_HEADER]: signBody(d.webhook.secret, body, Math.floor(at / 1000)),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      status = res.status
      await res.body?.cancel()
      if (status < 200 || status > 299) error = `HTTP ${status}`
    } catch (err) {
      error = failureOf(err)
    }
    const tries = d.attempts.length + 1
    const retryAt = now() + backoff(tries)
    const outcome =
      error === null
        ? ({ delivered: true } as const)
        : retryAt > d.createdAt + retryForMs
          ? ({ failed: true } as const)
          : { retryAt }
    await store.recordAttempt(d.webhookId, d.id, { at, status, error }, outcome)
    if ('failed' in outcome) {
      log(
        `tightloop: webhook ${d.webhookId} gave up on ${d.eventType} ${d.id} after ${tries} attempts`,
      )
    }
  }

  const round = async () => {
    try {
      for (;;) {
        const due = await store.claimDueDeliveries(now(), CLAIM_BATCH, timeoutMs + 5_000)
        await Promise.all(due.map(attempt))
        if (due.length < CLAIM_BATCH) return
      }
    } catch (err) {
      log('tightloop: webhook delivery round failed', err)
    }
  }

  let stopped = false
  let running: Promise<void> = round()
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : round()))
  }, options.everyMs ?? DELIVERY_POLL_MS)
  timer.unref()
  return {
    /** Runs a round now (after any in progress) and resolves when it is done. */
    async flush() {
      running = running.then(round)
      await running
    },
    /** Stops the schedule and waits for the round in progress. */
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
