// Optional scrubbing of personal data from free text before it is stored.
import type { FeedbackEvent } from '@tightloop/schema'

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// 13–19 digits with optional single spaces or dashes: card-number shaped.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g
// An optional +country code and 7–15 digits with the usual separators.
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}\b/g

/** True when a digit string passes the Luhn check that real card numbers pass. */
function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/**
 * Replaces e-mail addresses, card numbers (Luhn-valid) and phone numbers in `text`.
 *
 * @example scrubText('mail me at a@b.co') // 'mail me at [email]'
 */
export function scrubText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(CARD, (m) => (luhn(m.replace(/\D/g, '')) ? '[card]' : m))
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '[phone]' : m))
}

const TEXT_FIELDS = ['prompt', 'response', 'comment', 'correctionText'] as const

/** A copy of `event` with every free-text field scrubbed. */
export function scrubEvent<E extends FeedbackEvent>(event: E): E {
  const out: Record<string, unknown> = { ...event }
  for (const field of TEXT_FIELDS) {
    const value = out[field]
    if (typeof value === 'string') out[field] = scrubText(value)
  }
  if (event.metadata) {
    out.metadata = Object.fromEntries(
      Object.entries(event.metadata).map(([k, v]) => [k, typeof v === 'string' ? scrubText(v) : v]),
    )
  }
  return out as E
}
