import { describe, expect, it } from 'vitest'
import { promptSimilarity, promptTerms, REPHRASE_THRESHOLD } from './rephrase.ts'

describe('promptTerms', () => {
  it('keeps topic words: lower case, no punctuation, no stopwords, five-letter stems', () => {
    expect(promptTerms('Where is MY card?!')).toEqual(['card'])
    expect(promptTerms('I transferred money, but the transfers are pending')).toEqual([
      'trans',
      'money',
      'trans',
      'pendi',
    ])
    expect(promptTerms('¿Dónde está mi tarjeta?')).toEqual(['dónde', 'está', 'tarje'])
  })
})

describe('promptSimilarity', () => {
  it('is 1 for the same question typed differently', () => {
    expect(promptSimilarity('How do I reset my PIN?', 'how can i reset my pin')).toBe(1)
  })

  it('scores a reworded repeat above the default threshold', () => {
    expect(
      promptSimilarity('My card still has not arrived', 'why has my card still not arrived?'),
    ).toBeGreaterThanOrEqual(REPHRASE_THRESHOLD)
  })

  it('scores follow-ups and other questions below it', () => {
    const question = 'How long will it take for my new card to arrive?'
    expect(promptSimilarity(question, 'and how long does that take?')).toBeLessThan(
      REPHRASE_THRESHOLD,
    )
    expect(promptSimilarity(question, 'What is the exchange rate for euros?')).toBeLessThan(
      REPHRASE_THRESHOLD,
    )
  })

  it('is 0 when either prompt has no topic words, and symmetric', () => {
    expect(promptSimilarity('ok', 'How do I reset my PIN?')).toBe(0)
    expect(promptSimilarity('', '')).toBe(0)
    const a = 'Can I top up by bank transfer?'
    const b = 'top up using a bank transfer'
    expect(promptSimilarity(a, b)).toBe(promptSimilarity(b, a))
  })
})
