// Reading the OTLP/JSON envelope: what is refused as not a trace request, and every value kind.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CollectorError } from '../errors.ts'
import { spanAnswers } from './otlp-genai.ts'
import { anyValue, readOtlpSpans } from './otlp-spans.ts'

const request = (...spans: unknown[]) => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] })

describe('readOtlpSpans', () => {
  it.each([
    ['an array body', []],
    ['resourceSpans not an array', { resourceSpans: {} }],
    ['a span that is a string', request('span')],
    ['an attribute without key', request({ attributes: [{ value: { stringValue: 'x' } }] })],
    ['a time that is not nanoseconds', request({ startTimeUnixNano: 'yesterday' })],
    ['a time past uint64', request({ endTimeUnixNano: 1e300 })],
  ])('refuses %s with 400 invalid_body', (_, body) => {
    expect(() => readOtlpSpans(body)).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_body' }),
    )
  })

  it('takes an empty request as no spans', () => {
    expect(readOtlpSpans({})).toEqual([])
    expect(readOtlpSpans({ resourceSpans: [] })).toEqual([])
  })

  it('reads ids, times as nanoseconds (strings or numbers) and attributes', () => {
    const [span] = readOtlpSpans(
      request({
        traceId: 't',
        spanId: 's',
        startTimeUnixNano: '1765000000000000001',
        endTimeUnixNano: 1765000001000000000,
        attributes: [{ key: 'gen_ai.response.id', value: { stringValue: 'r' } }],
      }),
    )
    expect(span).toEqual({
      traceId: 't',
      spanId: 's',
      parentSpanId: '',
      attributes: new Map([['gen_ai.response.id', 'r']]),
      startNs: 1765000000000000001n,
      endNs: 1765000001000000000n,
    })
  })
})

describe('anyValue', () => {
  it('decodes every OTLP value kind', () => {
    const kvlist = {
      kvlistValue: {
        values: [
          {
            key: 'a',
            value: {
              arrayValue: {
                values: [
                  { intValue: '1' },
                  { doubleValue: 2.5 },
                  { boolValue: true },
                  { stringValue: 'x' },
                ],
              },
            },
          },
        ],
      },
    }
    expect(anyValue(kvlist)).toEqual({ a: [1, 2.5, true, 'x'] })
    expect(anyValue({ intValue: 7 })).toBe(7)
    expect(anyValue({ bytesValue: 'AAE=' })).toBeUndefined()
  })
})

describe('any JSON', () => {
  it('is read or refused with a 400, and its spans map without throwing', () => {
    const anyJson = fc.jsonValue({ maxDepth: 6 })
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'gen_ai.input.messages',
        'gen_ai.output.messages',
        'gen_ai.system_instructions',
        'gen_ai.prompt.0.content',
        'gen_ai.completion.0.content',
        'gen_ai.response.id',
        'tightloop.request_id',
      ),
    )
    const value = fc.oneof(
      anyJson,
      anyJson.map((v) => ({ stringValue: JSON.stringify(v) })),
      fc.string().map((v) => ({ stringValue: v })),
    )
    const attribute = fc.record({ key, value })
    const spanLike = fc.oneof(
      anyJson,
      fc.record(
        { attributes: fc.array(attribute), startTimeUnixNano: anyJson },
        { requiredKeys: [] },
      ),
    )
    fc.assert(
      fc.property(
        fc.oneof(
          anyJson,
          fc.array(spanLike).map((spans) => request(...spans)),
        ),
        (body) => {
          let spans: ReturnType<typeof readOtlpSpans>
          try {
            spans = readOtlpSpans(body)
          } catch (err) {
            expect(err).toBeInstanceOf(CollectorError)
            expect((err as CollectorError).status).toBe(400)
            return
          }
          spanAnswers(spans)
        },
      ),
      { numRuns: 500 },
    )
  })
})
