import { describe, expect, it } from 'vitest'
import {
  createPromptIdf,
  DEFAULT_REPHRASE_THRESHOLD,
  preparedSimilarity,
  preparePrompt,
  REPHRASE_SCALE,
  rephraseSimilarity,
  rescaleThreshold,
} from './rephrase-similarity.ts'

const idf = createPromptIdf()
for (const p of [
  'how do I reset my card pin',
  'what is the fee for a transfer',
  'where is my card',
  'why was my transfer declined',
  'I need my PIN, where is it?',
  'what is the exchange rate today',
])
  idf.add(p)
// The lexical similarity this one replaced: no word vectors, its own weight.
const lexicalOnly = { vectorWeight: 0, wordWeight: 0.2 }

describe('rephrase similarity', () => {
  it('catches a rephrasing in other words that word overlap alone missed', () => {
    const a = 'I need my PIN, where is it?'
    const b = 'I do not have my pin yet'
    expect(rephraseSimilarity(a, b, idf, lexicalOnly)).toBeLessThan(0.353) // the old threshold
    expect(rephraseSimilarity(a, b, idf)).toBeGreaterThanOrEqual(DEFAULT_REPHRASE_THRESHOLD)
  })

  it('keeps a question in other words apart from a different one', () => {
    expect(rephraseSimilarity('where is my card', 'where is my card', idf)).toBeCloseTo(1, 5)
    const refused = 'my payment was refused'
    expect(rephraseSimilarity(refused, 'why was my card declined', idf)).toBeGreaterThan(
      rephraseSimilarity(refused, 'what is the exchange rate today', idf) + 0.15,
    )
    expect(rephraseSimilarity(refused, 'what is the exchange rate today', idf)).toBeLessThan(
      DEFAULT_REPHRASE_THRESHOLD,
    )
  })

  it('gives the same figure for prepared prompts as for their text', () => {
    const [a, b] = ['how do I reset my card pin', 'how can I change the PIN of my card']
    expect(preparedSimilarity(preparePrompt(a, idf), preparePrompt(b, idf), idf)).toBe(
      rephraseSimilarity(a, b, idf),
    )
  })
})

describe('thresholds stored on the scale before word vectors', () => {
  it('carry the old default to the new one, keep order, and keep "off" off', () => {
    expect(rescaleThreshold(0.353, 1)).toBe(DEFAULT_REPHRASE_THRESHOLD)
    const carried = [0.1, 0.3, 0.353, 0.5, 0.9, 1].map((t) => rescaleThreshold(t, 1))
    expect(carried).toEqual([...carried].sort((x, y) => x - y))
    expect(carried.at(-1)).toBe(1)
    expect(rescaleThreshold(1.5, 1)).toBe(1.5)
    expect(rescaleThreshold(0.4, REPHRASE_SCALE)).toBe(0.4)
  })
})
