import { visit } from 'jsonc-parser'
import { describe, expect, it } from 'vitest'
import { findDuplicateKeys } from './duplicate-keys.ts'

const event = (id: string) => ({
  eventId: id,
  signal: 'thumbs_up',
  requestId: 'r',
  metadata: { a: '1' },
})

/** A slow, general reference: jsonc-parser's visitor, with the path of each repeated key. */
function reference(text: string) {
  const stack: Set<string>[] = []
  let envelope = false
  const events = new Set<number>()
  visit(text, {
    onObjectBegin: () => void stack.push(new Set()),
    onObjectEnd: () => void stack.pop(),
    onObjectProperty(property, _offset, _length, _line, _char, path) {
      const seen = stack[stack.length - 1]!
      if (!seen.has(property)) return void seen.add(property)
      const at = path()
      if (at[0] === 'events' && typeof at[1] === 'number') events.add(at[1])
      else envelope = true
    },
  })
  return envelope || events.size ? { envelope, events } : undefined
}

describe('findDuplicateKeys', () => {
  it('finds nothing in a batch the client sends', () => {
    const text = JSON.stringify({ sentAt: 'x', events: [event('a'), event('b')] })
    expect(findDuplicateKeys(text)).toBeUndefined()
  })

  it('names the event that repeats a key, at any depth, escaped or not', () => {
    const text =
      '{"events":[{"eventId":"a"},{"eventId":"a","eventId":"b"},' +
      '{"metadata":{"x":"1","\\u0078":"2"}},{"eventId":"\\"}{","k":[{"q":1}]}]}'
    expect(findDuplicateKeys(text)).toEqual({ envelope: false, events: new Set([1, 2]) })
  })

  it('counts every kind of element so indexes match the parsed array', () => {
    const text = '{"events":["s,]",12,null,[{"a":1,"a":2}],{"b":1,"b":1}, true ]}'
    expect(findDuplicateKeys(text)).toEqual({ envelope: false, events: new Set([3, 4]) })
  })

  it('reports a repeated envelope key', () => {
    expect(findDuplicateKeys('{"events":[],"events":[{"a":1}]}')?.envelope).toBe(true)
    expect(findDuplicateKeys('{"client":{"dropped":1,"dropped":2},"events":[]}')?.envelope).toBe(
      true,
    )
  })

  it('agrees with a general JSON visitor on generated batches', () => {
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const keys = ['a', 'b', '\\u0061', 'c"d', 'é', 'events']
    const value = (depth: number): string => {
      const kind = rand(depth > 2 ? 3 : 5)
      if (kind === 0) return JSON.stringify(`v${rand(9)},]}{`)
      if (kind === 1) return String(rand(100))
      if (kind === 2) return 'null'
      if (kind === 3)
        return `[${Array.from({ length: rand(3) }, () => value(depth + 1)).join(' , ')}]`
      const members = Array.from(
        { length: rand(4) },
        () => `"${keys[rand(keys.length)]}" : ${value(depth + 1)}`,
      )
      return `{${members.join(',')}}`
    }
    for (let round = 0; round < 500; round++) {
      const events = Array.from({ length: rand(5) }, () => value(1))
      const text = `{"sentAt":"t","events":[${events.join(',')}]}`
      JSON.parse(text)
      expect(findDuplicateKeys(text), text).toEqual(reference(text))
    }
  })
})
