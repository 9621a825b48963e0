// Finds the events of a batch that repeat a key in some object. `JSON.parse` keeps the last
// value of a repeated key while SQL's JSON functions read the first, so an event stored with
// both would mean one thing to the API and another to the store: such an event is refused.
//
// One pass over text `JSON.parse` already accepted (so it is well-formed JSON), tracking only
// strings, nesting and keys: about 2 µs for a one-event batch, where a general JSON visitor
// (jsonc-parser's `visit`) took 10–20 µs, on the hottest path the collector has.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

/** What the scan found: the envelope repeats a key, and/or these event indexes do. */
export interface DuplicateKeys {
  envelope: boolean
  events: Set<number>
}

/**
 * Scans well-formed JSON `text` (a batch `{..., "events": [...]}`) for objects that repeat a
 * key, compared after unescaping (`"a"` and `"\u0061"` are the same key). Returns undefined
 * when none does, the common case, without allocating per object.
 */
export function findDuplicateKeys(text: string): DuplicateKeys | undefined {
  // One entry per open container: the keys seen so far (objects) or null (arrays).
  const keys: (Set<string> | null)[] = []
  let found: DuplicateKeys | undefined
  let rootKey = '' // the envelope key whose value is being read
  let eventIndex = -1 // which element of the envelope's `events` array the scan is in
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) {
      const start = i + 1
      let escaped = false
      i = start
      for (;;) {
        const c = text.charCodeAt(i)
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          escaped = true
          i++
        }
        i++
      }
      if (!expectKey) {
        if (keys.length === 2 && inEvents(keys, rootKey)) eventIndex++ // a string element
        continue
      }
      expectKey = false
      const raw = text.slice(start, i)
      const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw
      const seen = keys[keys.length - 1]!
      if (keys.length === 1) rootKey = key
      if (seen.has(key)) {
        found ??= { envelope: false, events: new Set() }
        if (keys.length === 1) found.envelope = true
        else if (eventIndex >= 0) found.events.add(eventIndex)
        else found.envelope = true
      } else seen.add(key)
    } else if (code === OPEN_OBJECT) {
      keys.push(new Set())
      expectKey = true
      if (keys.length === 3 && inEvents(keys, rootKey)) eventIndex++
    } else if (code === OPEN_ARRAY) {
      keys.push(null)
      if (keys.length === 3 && inEvents(keys, rootKey)) eventIndex++
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      keys.pop()
      if (keys.length === 1) eventIndex = rootKey === 'events' ? eventIndex : -1
    } else if (code === COMMA) {
      expectKey = keys[keys.length - 1] !== null
    } else if (keys.length === 2 && inEvents(keys, rootKey) && code > 0x20) {
      // A scalar element of `events` (invalid, refused later) still takes an index.
      eventIndex++
      while (i + 1 < text.length && !isDelimiter(text.charCodeAt(i + 1))) i++
    }
  }
  return found
}

function inEvents(keys: (Set<string> | null)[], rootKey: string): boolean {
  return rootKey === 'events' && keys[1] === null
}

function isDelimiter(code: number): boolean {
  return code === COMMA || code === CLOSE_ARRAY || code <= 0x20
}
