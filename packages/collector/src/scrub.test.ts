import { describe, expect, it } from 'vitest'
import { scrubEvent, scrubText } from './scrub.ts'
import { makeEvent } from './testing.ts'

describe('scrubText', () => {
  it.each([
    ['mail jane.doe+tag@example.co.uk now', 'mail [email] now'],
    ['cards 4111 1111 1111 1111 and 5500-0000-0000-0004', 'cards [card] and [card]'],
    ['4111111111111111', '[card]'],
    ['call +1 415 555 0100', 'call [phone]'],
    ['call (030) 1234567 or 415.555.0100', 'call [phone] or [phone]'],
    ['+44 20 7946 0958', '[phone]'],
    ['x 555-0100', 'x [phone]'],
  ])('replaces personal data in %j', (text, expected) => {
    expect(scrubText(text)).toBe(expected)
  })

  it.each([
    'on 2026-11-26 at 12:30',
    'on 26.11.2026 or 2026/11/26',
    'at 2026-11-26 14:05:09 or 2026-11-26T14:05',
    'order #48213 and ref 123-456',
    'refund within 20-30 days, from 2024 to 2026',
    'price $1,299.99 in version 2.13.4',
    'between 10:00-12:00',
    'tracking 1Z999AA10123456784',
    'the total is 1234',
  ])('leaves %j alone', (text) => {
    expect(scrubText(text)).toBe(text)
  })

  it('still scrubs a number that merely follows a date', () => {
    expect(scrubText('on 2026-11-26 call 030 123 4567')).toBe('on 2026-11-26 call [phone]')
  })

  it('does not call a 16-digit number that fails the Luhn check a card', () => {
    expect(scrubText('4111 1111 1111 1112')).not.toContain('[card]')
  })

  // Known over-matching, kept because missing a real number is worse than hiding a fake one.
  it('hides long bare digit runs that might be phone numbers', () => {
    expect(scrubText('order 12345678')).toBe('order [phone]')
  })
})

describe('scrubEvent', () => {
  it('scrubs every free-text field and string metadata, and nothing else', () => {
    const event = makeEvent('explicit_correction', {
      userId: 'user-5551234567',
      prompt: 'I am jane@example.com',
      response: 'Call 0800 123 4567',
      comment: 'card 4111 1111 1111 1111',
      correctionText: 'Write to help@example.com',
      metadata: { email: 'a@b.io', plan: 'pro', seats: 5551234567 },
    })
    const scrubbed = scrubEvent(event)
    expect(scrubbed).toMatchObject({
      userId: 'user-5551234567',
      prompt: 'I am [email]',
      response: 'Call [phone]',
      comment: 'card [card]',
      correctionText: 'Write to [email]',
      metadata: { email: '[email]', plan: 'pro', seats: 5551234567 },
    })
    expect(event.prompt).toBe('I am jane@example.com')
  })
})
