import { describe, expect, it } from 'vitest'
import { eventBatchSchema, feedbackEventSchema, utf8Length } from './events.ts'
import { MAX_PROMPT_BYTES } from './limits.ts'

const base = {
  eventId: '0190a1b2-c3d4',
  requestId: 'req-1',
  sessionId: 's-1',
  userId: 'u-1',
  occurredAt: '2026-11-26T10:00:00.000Z',
}

describe('feedbackEventSchema', () => {
  it('accepts each signal with its own fields', () => {
    const events = [
      { ...base, signal: 'explicit_correction', correctionText: 'fixed answer' },
      { ...base, signal: 'agent_escalation', escalationReason: 'wrong_answer' },
      { ...base, signal: 'csat', csat: 4 },
      { ...base, signal: 'thumbs_down', comment: 'meh' },
      { ...base, signal: 'session_abandon', idleMs: 30_000 },
      { ...base, signal: 'rephrase', rephraseOf: 'req-0', similarity: 0.8 },
      { ...base, signal: 'thumbs_up' },
      { ...base, signal: 'response_shown', metadata: { channel: 'web', turn: 2, beta: true } },
    ]
    for (const event of events) expect(feedbackEventSchema.safeParse(event).success).toBe(true)
  })

  it('takes `amends` on a thumbs_down only, as an eventId', () => {
    const down = { ...base, signal: 'thumbs_down', comment: 'meh' }
    expect(feedbackEventSchema.parse({ ...down, amends: '0190a1b2-c3d3' })).toMatchObject({
      amends: '0190a1b2-c3d3',
    })
    for (const amends of ['', 'has space', 'x'.repeat(65), 42])
      expect(feedbackEventSchema.safeParse({ ...down, amends }).success).toBe(false)
    // Elsewhere it is an unknown field: dropped, never stored.
    expect(
      feedbackEventSchema.parse({ ...base, signal: 'thumbs_up', amends: 'e1' }),
    ).not.toHaveProperty('amends')
  })

  it('requires the signal-specific field', () => {
    expect(feedbackEventSchema.safeParse({ ...base, signal: 'csat' }).success).toBe(false)
    expect(feedbackEventSchema.safeParse({ ...base, signal: 'csat', csat: 6 }).success).toBe(false)
    expect(feedbackEventSchema.safeParse({ ...base, signal: 'csat', csat: 2.5 }).success).toBe(
      false,
    )
    expect(
      feedbackEventSchema.safeParse({ ...base, signal: 'explicit_correction', correctionText: '' })
        .success,
    ).toBe(false)
    expect(feedbackEventSchema.safeParse({ ...base, signal: 'agent_escalation' }).success).toBe(
      false,
    )
  })

  it('rejects bad ids, unknown signals and bad timestamps', () => {
    expect(
      feedbackEventSchema.safeParse({ ...base, eventId: 'a b', signal: 'thumbs_up' }).success,
    ).toBe(false)
    expect(
      feedbackEventSchema.safeParse({ ...base, eventId: 'x'.repeat(65), signal: 'thumbs_up' })
        .success,
    ).toBe(false)
    expect(feedbackEventSchema.safeParse({ ...base, signal: 'like' }).success).toBe(false)
    expect(
      feedbackEventSchema.safeParse({ ...base, occurredAt: 'yesterday', signal: 'thumbs_up' })
        .success,
    ).toBe(false)
  })

  it('limits text by UTF-8 bytes, not characters', () => {
    const ok = 'a'.repeat(MAX_PROMPT_BYTES)
    const tooBig = 'é'.repeat(MAX_PROMPT_BYTES / 2 + 1) // 2 bytes each
    expect(
      feedbackEventSchema.safeParse({ ...base, signal: 'thumbs_up', prompt: ok }).success,
    ).toBe(true)
    expect(
      feedbackEventSchema.safeParse({ ...base, signal: 'thumbs_up', prompt: tooBig }).success,
    ).toBe(false)
    expect(utf8Length('é€', 0)).toBe(5)
  })

  it('limits metadata to 20 primitive values', () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]))
    expect(
      feedbackEventSchema.safeParse({ ...base, signal: 'thumbs_up', metadata: many }).success,
    ).toBe(false)
    expect(
      feedbackEventSchema.safeParse({ ...base, signal: 'thumbs_up', metadata: { a: { b: 1 } } })
        .success,
    ).toBe(false)
  })

  it('drops unknown fields, including __proto__', () => {
    const parsed = feedbackEventSchema.parse(
      JSON.parse(
        `{"signal":"thumbs_up","eventId":"e","requestId":"r","sessionId":"s","userId":"u","occurredAt":"2026-01-01T00:00:00Z","__proto__":{"admin":true},"extra":1}`,
      ),
    )
    expect(Object.keys(parsed)).not.toContain('extra')
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect((parsed as Record<string, unknown>).admin).toBeUndefined()
  })
})

describe('eventBatchSchema', () => {
  it('caps a batch at 100 events and requires at least one', () => {
    expect(eventBatchSchema.safeParse({ events: [] }).success).toBe(false)
    expect(eventBatchSchema.safeParse({ events: Array(101).fill({}) }).success).toBe(false)
    expect(eventBatchSchema.safeParse({ events: Array(100).fill({}) }).success).toBe(true)
  })
  it('takes the optional sentAt and client block', () => {
    const ok = eventBatchSchema.safeParse({
      events: [{}],
      sentAt: '2026-11-26T10:00:00Z',
      client: { sdk: 'tightloop-js/0.1.0', storage: 'memory', dropped: 3 },
    })
    expect(ok.success).toBe(true)
    expect(eventBatchSchema.safeParse({ events: [{}], client: { dropped: -1 } }).success).toBe(
      false,
    )
  })
})
