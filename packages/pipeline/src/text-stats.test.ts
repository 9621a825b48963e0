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
})
