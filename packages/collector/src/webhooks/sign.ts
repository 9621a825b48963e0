// The signature every webhook delivery carries, so a receiver knows the collector sent it.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header the signature travels in. */
export const SIGNATURE_HEADER = 'X-Tightloop-Signature'

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the webhook's secret.
 *
 * @example signBody('whsec_…', '{"id":"ev-1"}', 1764936000) // 't=1764936000,v1=5f…'
 */
export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}

/**
 * True when `header` signs `body` with `secret` (what a receiver runs; the README shows it).
 *
 * @example verifySignature('whsec_…', rawBody, req.headers['x-tightloop-signature'])
 */
export function verifySignature(secret: string, body: string, header: string): boolean {
  const t = /(?:^|,)t=(\d+)/.exec(header)?.[1]
  const v1 = /(?:^|,)v1=([0-9a-f]{64})/.exec(header)?.[1]
  if (!t || !v1) return false
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest()
  return timingSafeEqual(want, Buffer.from(v1, 'hex'))
}
