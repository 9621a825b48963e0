import { feedbackEventSchema, SIGNALS } from '@tightloop/schema'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { acceptsAsIs } from './accept.ts'
import { makeEvent } from './testing.ts'

/** Strings at and around every limit the schema has, in UTF-16 units and in UTF-8 bytes. */
const edgeString = fc.oneof(
  fc.constantFrom('', 'a', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'x'.repeat(129)),
  fc.constantFrom('😀'.repeat(32), '😀'.repeat(33), '😀'.repeat(64), '😀'.repeat(65)),
  fc.constantFrom('€'.repeat(682), '€'.repeat(683), '€'.repeat(5461), '€'.repeat(5462)),
  fc.constantFrom('€'.repeat(10_922), '€'.repeat(10_923), 'x'.repeat(32_768), 'x'.repeat(32_769)),
  fc.constantFrom('ev-1', 'ev_1-A', 'ev 1', 'ev.1', 'é', 'req-1', 'wrong_answer', 'other'),
  fc.string({ maxLength: 70, unit: 'binary' }),
)
const timestamp = fc.oneof(
  fc.constantFrom('2026-11-27T10:00:00.000Z', '2026-11-27T10:00:00Z', '2026-11-27T10:00:00+01:00'),
  fc.constantFrom('2024-02-29T00:00:00Z', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z'),
  fc.constantFrom('2026-11-27 10:00:00Z', '2026-11-27T10:00:00', '2026-11-27', 'yesterday'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
)
const number = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1, 1.1, 2.5, 5, 6, 60_000, 2 ** 53 - 1, 2 ** 53, 1e300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
)
/** Any value a JSON body can carry in a field, right or wrong for it. */
const anyValue = fc.oneof(
  { weight: 6, arbitrary: edgeString },
  { weight: 2, arbitrary: timestamp },
  { weight: 2, arbitrary: number },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, ['a'], { a: 1 }) },
)
const fieldValue: Record<string, fc.Arbitrary<unknown>> = {
  occurredAt: fc.oneof({ weight: 3, arbitrary: timestamp }, { weight: 1, arbitrary: anyValue }),
  csat: fc.oneof(number, anyValue),
  idleMs: fc.oneof(number, anyValue),
  similarity: fc.oneof(number, anyValue),
  metadata: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    anyValue,
  ),
}
const FIELDS = [
  'eventId',
  'requestId',
  'sessionId',
  'userId',
  'occurredAt',
  'prompt',
  'response',
  'productVersion',
  'modelVersion',
  'comment',
  'metadata',
  'correctionText',
  'escalationReason',
  'csat',
  'idleMs',
  'rephraseOf',
  'similarity',
  'unknownKey',
]

/**
 * An event as a body could carry it: a valid event of any signal, then some of its fields
 * dropped, replaced by edge values or wrong types, or added from other signals; sometimes an
 * own `__proto__` key, as `JSON.parse` makes one.
 */
const bodyEvent = fc
  .record({
    signal: fc.oneof(fc.constantFrom(...SIGNALS), fc.constantFrom('thumbs', 1, null)),
    drop: fc.oneof(fc.constant([]), fc.subarray(FIELDS, { maxLength: 2 })),
    set: fc.array(
      fc
        .constantFrom(...FIELDS)
        .chain((key) => (fieldValue[key] ?? anyValue).map((value) => [key, value] as const)),
      { maxLength: 3 },
    ),
    proto: fc.boolean(),
  })
  .map(({ signal, drop, set, proto }) => {
    const valid = SIGNALS.includes(signal as never)
    const event: Record<string, unknown> = {
      ...makeEvent(valid ? (signal as (typeof SIGNALS)[number]) : 'thumbs_down'),
      signal,
    }
    for (const key of drop) delete event[key]
    for (const [key, value] of set) event[key] = value
    const text = JSON.stringify(event)
    return JSON.parse(proto ? `{"__proto__":{"x":1},${text.slice(1)}` : text) as unknown
  })

describe('acceptsAsIs', () => {
  it('says yes exactly when zod accepts an event and hands it back unchanged', () => {
    let yes = 0
    fc.assert(
      fc.property(bodyEvent, (raw) => {
        const parsed = feedbackEventSchema.safeParse(raw)
        const unchanged =
          parsed.success && Object.keys(parsed.data).length === Object.keys(raw as object).length
        if (acceptsAsIs(raw)) {
          yes++
          expect(parsed.success).toBe(true)
          expect(parsed.data).toEqual(raw)
          expect(unchanged).toBe(true)
        } else if (!Object.hasOwn(raw as object, 'metadata')) {
          // Metadata is left to zod; any other event zod keeps as it is gets a yes.
          expect(unchanged).toBe(false)
        }
      }),
      { numRuns: 20_000 },
    )
    expect(yes).toBeGreaterThan(1000) // the generator reaches both answers
  })

  it('says yes to each signal as the widget sends it, and no to anything zod would change', () => {
    for (const signal of SIGNALS)
      expect(acceptsAsIs(JSON.parse(JSON.stringify(makeEvent(signal))))).toBe(true)
    const event = makeEvent('csat')
    expect(acceptsAsIs({ ...event, extra: 1 })).toBe(false) // zod would drop the key
    expect(acceptsAsIs({ ...event, metadata: { plan: 'pro' } })).toBe(false) // zod decides
    expect(acceptsAsIs({ ...event, csat: 6 })).toBe(false)
    expect(acceptsAsIs({ ...event, occurredAt: '2026-02-29T00:00:00Z' })).toBe(false)
    expect(acceptsAsIs({ ...event, prompt: '€'.repeat(5462) })).toBe(false) // 16,386 bytes
    expect(acceptsAsIs([event])).toBe(false)
    expect(acceptsAsIs(null)).toBe(false)
  })
})
