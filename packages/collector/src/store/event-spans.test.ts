import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventSpans } from './event-spans.ts'

/** Each span's text, parsed: what the SQLite writer stores for that event. */
const cut = (text: string) => {
  const spans = eventSpans(text)
  if (!spans) return undefined
  const out: unknown[] = []
  for (let i = 0; i < spans.length; i += 2) out.push(JSON.parse(text.slice(spans[i], spans[i + 1])))
  return out
}

describe('eventSpans', () => {
  it('cuts out exactly the elements JSON.parse sees, whatever they hold and however spaced', () => {
    const element = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' })
    const body = fc.record({
      before: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), {
        maxKeys: 3,
      }),
      events: fc.array(element, { maxLength: 8 }),
      after: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), {
        maxKeys: 3,
      }),
      indent: fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n '),
    })
    fc.assert(
      fc.property(body, ({ before, events, after, indent }) => {
        const { events: _b, ...head } = before
        const { events: _a, ...tail } = after
        const text = JSON.stringify({ ...head, events, ...tail }, null, indent as string)
        const escapedKey = Object.keys({ ...head, ...tail }).some((k) =>
          JSON.stringify(k).includes('\\'),
        )
        const got = cut(text)
        if (escapedKey) expect(got).toBeUndefined()
        else expect(got).toEqual(JSON.parse(text).events)
      }),
      { numRuns: 2_000 },
    )
  })

  it('handles quotes, backslashes and brackets inside strings', () => {
    const events = [
      { a: 'a "quoted" ] } word', b: ['\\', '\\"', '{['] },
      { c: '\\\\', d: '\u2028 é 😀 \u0000' },
      'x]',
      12.5e3,
      null,
      [],
      {},
    ]
    const text = ` { "client" : { "sdk": "x" } , "events" : ${JSON.stringify(events, null, 1)} } `
    expect(cut(text)).toEqual(events)
    expect(eventSpans('{"events":[]}')).toEqual([])
  })

  it('gives up where the text could be read two ways', () => {
    // JSON.parse keeps the last `events`; taking the first would store unvalidated events.
    expect(eventSpans('{"events":[{"a":1}],"events":[{"b":2}]}')).toBeUndefined()
    // An escaped key may spell `events`.
    expect(eventSpans('{"\\u0065vents":[{"a":1}]}')).toBeUndefined()
    expect(eventSpans('{"events":[{"a":1}],"\\u0065vents":[{"b":2}]}')).toBeUndefined()
    // No top-level `events` array at all.
    expect(eventSpans('{"sentAt":"x"}')).toBeUndefined()
    expect(eventSpans('{"events":{"0":{}}}')).toBeUndefined()
    expect(eventSpans('[{"events":[]}]')).toBeUndefined()
  })

  it('never throws or hangs on text that is not JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (junk) => {
        const texts = [junk, `{"events":[${junk}`, `{"events":${junk}]}`, `{"${junk}`]
        for (const text of texts) {
          const spans = eventSpans(text)
          if (spans) for (const at of spans) expect(at).toBeLessThanOrEqual(text.length)
        }
      }),
      { numRuns: 2_000 },
    )
  })
})
