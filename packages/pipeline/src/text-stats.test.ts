import { describe, expect, it } from 'vitest'
import { answerTextStats } from './text-stats.ts'

describe('answerTextStats', () => {
  it('counts tokens and distinct tokens, case-insensitively', () => {
    const stats = answerTextStats('The plan, the PLAN and the plan.')
    expect(stats.tokens).toBe(7)
    expect(stats.typeTokenRatio).toBeCloseTo(3 / 7, 10)
    expect(stats.length).toBe(32)
  })
  it('counts digits, mid-sentence capitals and long words as specific', () => {
    // specific: Settings, Billing, 12, EUR, subscription (12 letters); not Open, It (sentence starts)
    const stats = answerTextStats(
      'Open Settings, then click Billing. It costs 12 EUR per subscription.',
    )
    expect(stats.tokens).toBe(11)
    expect(stats.specificity).toBeCloseTo(5 / 11, 10)
  })
  it('scores a vague answer lower than a specific one', () => {
    const vague = answerTextStats('You can do that in the app. Let me know if you need more help.')
    const specific = answerTextStats(
      'Open Billing in the Admin console and pick Invoices; exports older than 18 months need the Enterprise plan.',
    )
    expect(vague.specificity).toBe(0)
    expect(specific.specificity).toBeCloseTo(5 / 18, 10) // Billing, Admin, Invoices, 18, Enterprise
  })
  it('handles empty and non-Latin text', () => {
    expect(answerTextStats('')).toEqual({ length: 0, tokens: 0, typeTokenRatio: 0, specificity: 0 })
    expect(answerTextStats('Öffnen Sie die Einstellungen').tokens).toBe(4)
  })
  it('gives the same numbers as the plain regex definition on random mixed-script text', () => {
    const alphabet = [
      ...'abcXYZ019 .,!?:;\n-_()',
      'é',
      'Ö',
      'ß',
      '٣', // Arabic-Indic digit three
      'Ω',
      'ω',
      '日',
      '𝐀', // mathematical bold A: a letter outside the BMP (surrogate pair)
      '😀', // not a word character, also a surrogate pair
      '\u0301', // combining accent: a mark, not a letter
    ]
    let seed = 7
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let run = 0; run < 2_000; run++) {
      const length = Math.floor(random() * 80)
      let text = ''
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)]
      expect(answerTextStats(text)).toEqual(reference(text))
    }
  })
})

/** The definition, written the slow and obvious way. */
function reference(text: string) {
  let tokens = 0
  let specific = 0
  const types = new Set<string>()
  let previousEnd = 0
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const token = match[0]
    const start = match.index
    const sentenceStart = tokens === 0 || /[.!?:;\n]/.test(text.slice(previousEnd, start))
    tokens += 1
    types.add(token.toLowerCase())
    if (/\p{N}/u.test(token) || token.length >= 9 || (!sentenceStart && /^\p{Lu}/u.test(token))) {
      specific += 1
    }
    previousEnd = start + token.length
  }
  return {
    length: text.length,
    tokens,
    typeTokenRatio: tokens ? types.size / tokens : 0,
    specificity: tokens ? specific / tokens : 0,
  }
}
