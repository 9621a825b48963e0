// Guardrail measures of one bot answer: length, lexical diversity and specificity.
//
// Reward hacking shows in the answers before it shows in the labels: they get shorter, more
// generic and vaguer while thumbs-up holds. These three numbers are what drift alerts watch.

/** The guardrail measures of one answer. */
export interface AnswerTextStats {
  /** Characters (UTF-16 units). */
  length: number
  /** Word tokens: runs of letters and digits. */
  tokens: number
  /** Distinct lower-cased tokens / tokens (0 for no tokens). Falls as answers get generic. */
  typeTokenRatio: number
  /**
   * Share of tokens that carry specifics: tokens with a digit (prices, limits, versions),
   * capitalised tokens that do not start a sentence (product and place names, a proper-noun
   * proxy), and words of 9 or more characters (domain terms). Falls as answers get vague.
   */
  specificity: number
}

/**
 * Words at least this long count as specific.
 *
 * @example 'subscription'.length >= LONG_WORD_LENGTH // true
 */
export const LONG_WORD_LENGTH = 9

const TOKEN = /[\p{L}\p{N}]+/gu
const SENTENCE_END = /[.!?:;\n]/
const DIGIT = /\p{N}/u
const UPPER_FIRST = /^\p{Lu}/u

/**
 * Measures one answer. Type/token ratio depends on length (short texts repeat less), so
 * compare it between days of similar answers, not across very different products.
 *
 * @example answerTextStats('Open Settings, then click Billing. It costs 12 EUR.')
 * // { length: 50, tokens: 9, typeTokenRatio: 1, specificity: 0.44… }
 */
export function answerTextStats(text: string): AnswerTextStats {
  let tokens = 0
  let specific = 0
  const types = new Set<string>()
  let previousEnd = 0
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0]
    const start = match.index
    const sentenceStart = tokens === 0 || SENTENCE_END.test(text.slice(previousEnd, start))
    tokens += 1
    types.add(token.toLowerCase())
    if (
      DIGIT.test(token) ||
      token.length >= LONG_WORD_LENGTH ||
      (!sentenceStart && UPPER_FIRST.test(token))
    ) {
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
