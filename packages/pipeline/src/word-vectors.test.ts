import { describe, expect, it } from 'vitest'
import { PipelineInputError } from './errors.ts'
import { encodeWordVectors, parseWordVectors, shippedWordVectors } from './word-vectors.ts'

describe('word vector tables', () => {
  it('round-trips words and vectors through 8-bit rows within 0.01 of the true cosine', () => {
    const vectors = [
      [1, 0, 0, 0.2],
      [0.9, 0.1, 0, 0.25],
      [0, 1, 0, 0],
      [-1, 0, 0.3, -0.2],
    ]
    const table = parseWordVectors(
      encodeWordVectors(['card', 'cards', 'weather', 'émoji'], vectors),
    )
    expect([table.size, table.dimensions]).toEqual([4, 4])
    expect(['card', 'cards', 'weather', 'émoji', 'nope'].map(table.row)).toEqual([0, 1, 2, 3, -1])
    const cosine = (a: number[], b: number[]) => {
      const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0)
      return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))
    }
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++)
        expect(Math.abs(table.cosine(i, j) - cosine(vectors[i]!, vectors[j]!))).toBeLessThan(0.01)
  })

  it('refuses a file that is not a table or is cut short', () => {
    const bytes = encodeWordVectors(
      ['a', 'b'],
      [
        [1, 2],
        [3, 4],
      ],
    )
    expect(() => parseWordVectors(bytes.subarray(0, bytes.length - 1))).toThrow(PipelineInputError)
    expect(() => parseWordVectors(new TextEncoder().encode('hello 1 2 2\na\nb\n1234'))).toThrow(
      /not a word vector table/,
    )
    expect(() =>
      parseWordVectors(new TextEncoder().encode('tightloop-word-vectors 1 x 2\n')),
    ).toThrow(/bad header/)
  })

  it('ships 10,000 words in which near-synonyms are closer than unrelated words', () => {
    const table = shippedWordVectors()
    expect(table.size).toBe(10_000)
    expect(shippedWordVectors()).toBe(table) // read once
    const near = (a: string, b: string) => table.cosine(table.row(a), table.row(b))
    for (const [a, b, unrelated] of [
      ['refused', 'declined', 'weather'],
      ['cancel', 'stop', 'painting'],
      ['purchase', 'order', 'river'],
    ] as const) {
      expect(table.row(a)).toBeGreaterThanOrEqual(0)
      expect(near(a, b)).toBeGreaterThan(near(a, unrelated) + 0.25)
    }
  })
})
