// Where each event of a batch body sits in its text, so the SQLite writer can store an event's
// own text instead of parsing the body again and serialising every event back.

const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const COLON = 58
const OPEN_OBJECT = 123
const CLOSE_OBJECT = 125
const OPEN_ARRAY = 91
const CLOSE_ARRAY = 93

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}

/** The index just past the string whose opening quote is at `i`, or -1 if it never closes. */
function stringEnd(text: string, i: number): number {
  let quote = text.indexOf('"', i + 1)
  while (quote >= 0) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    quote = text.indexOf('"', quote + 1)
  }
  return -1
}

/** The index just past the JSON value that starts at `i`, or -1 if it is cut off. */
function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i)
  if (first === QUOTE) return stringEnd(text, i)
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        i = stringEnd(text, i)
        if (i < 0) return -1
        continue
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return -1
  }
  // A number, true, false or null runs to the next delimiter.
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break
    i++
  }
  return i
}

/**
 * The `[start, end)` offsets of every element of the top-level `events` array of a batch body,
 * flat (`[start0, end0, start1, end1, …]`): `JSON.parse(text.slice(start, end))` is then the
 * element `JSON.parse(text).events[i]`. Meant for a text `JSON.parse` has already accepted; for
 * any other it may answer `undefined` but never throws.
 *
 * `undefined` too wherever the text could be read two ways: a top-level key written with an
 * escape (`"\u0065vents"` is `events` to `JSON.parse`), or `events` given twice (`JSON.parse`
 * keeps the last). The caller then treats the batch as parsed objects.
 *
 * @example eventSpans('{"events":[{"a":1}, 2]}') // [11, 18, 20, 21]
 */
export function eventSpans(text: string): number[] | undefined {
  let i = skipSpace(text, 0)
  if (text.charCodeAt(i) !== OPEN_OBJECT) return undefined
  i = skipSpace(text, i + 1)
  let spans: number[] | undefined
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i)
    if (keyEnd < 0) return undefined
    const key = text.slice(i + 1, keyEnd - 1)
    if (key.includes('\\')) return undefined
    i = skipSpace(text, keyEnd)
    if (text.charCodeAt(i) !== COLON) return undefined
    i = skipSpace(text, i + 1)
    if (key === 'events') {
      if (spans || text.charCodeAt(i) !== OPEN_ARRAY) return undefined
      spans = []
      i = skipSpace(text, i + 1)
      if (text.charCodeAt(i) !== CLOSE_ARRAY) {
        for (;;) {
          const end = valueEnd(text, i)
          if (end < 0) return undefined
          spans.push(i, end)
          i = skipSpace(text, end)
          if (text.charCodeAt(i) !== COMMA) break
          i = skipSpace(text, i + 1)
        }
      }
      if (text.charCodeAt(i) !== CLOSE_ARRAY) return undefined
      i += 1
    } else {
      i = valueEnd(text, i)
      if (i < 0) return undefined
    }
    i = skipSpace(text, i)
    if (text.charCodeAt(i) !== COMMA) break
    i = skipSpace(text, i + 1)
  }
  return text.charCodeAt(i) === CLOSE_OBJECT ? spans : undefined
}
