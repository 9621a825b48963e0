// Optional scrubbing of personal data from free text before it is stored.
import type { FeedbackEvent } from '@tightloop/schema'

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// 13–19 digits with optional single spaces or dashes: card-number shaped.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g
// A calendar date (2026-11-26, 26.11.2026, optionally with a time): digits that look like a
// phone number but are not, matched first so the phone pattern never sees them.
const DATE =
  /\b(?:\d{4}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./]\d{4})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b/
// An optional +country code and 7–15 digits with the usual separators, not inside a longer
// token (a tracking code like 1Z999AA10123456784 is not a phone number).
const PHONE =
  /(?<![A-Za-z0-9])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}\b/
const DATE_OR_PHONE = new RegExp(`(${DATE.source})|${PHONE.source}`, 'g')

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
    .replace(DATE_OR_PHONE, (m, date?: string) =>
      !date && m.replace(/\D/g, '').length >= 7 ? '[phone]' : m,
    )
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
