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

const WORD_CHAR = /[\p{L}\p{N}]/u
const DIGIT = /\p{N}/u
const UPPER = /\p{Lu}/u

// One pass over UTF-16 units, with ASCII decided by code and anything else by the Unicode
// regexes above: the same tokens as /[\p{L}\p{N}]+/gu, about ten times faster, which matters
// because every answer shown is measured (a million a quarter on a mid-size bot).
const OTHER = 0
const WORD = 1
const DIGIT_CHAR = 2
const UPPER_CHAR = 3

function classify(text: string, i: number, code: number): number {
  if (code < 128) {
    if (code >= 97 && code <= 122) return WORD
    if (code >= 65 && code <= 90) return UPPER_CHAR
    if (code >= 48 && code <= 57) return DIGIT_CHAR
    return OTHER
  }
  const ch = String.fromCodePoint(text.codePointAt(i)!)
  if (!WORD_CHAR.test(ch)) return OTHER
  if (DIGIT.test(ch)) return DIGIT_CHAR
  return UPPER.test(ch) ? UPPER_CHAR : WORD
}

function isSentenceEnd(code: number): boolean {
  // . ! ? : ; and newline
  return code === 46 || code === 33 || code === 63 || code === 58 || code === 59 || code === 10
}

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
  let sentenceEnd = false
  let i = 0
  const n = text.length
  while (i < n) {
    const code = text.charCodeAt(i)
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < n ? 2 : 1
    const kind = classify(text, i, code)
    if (kind === OTHER) {
      if (isSentenceEnd(code)) sentenceEnd = true
      i += width
      continue
    }
    const start = i
    const sentenceStart = tokens === 0 || sentenceEnd
    const upperFirst = kind === UPPER_CHAR
    let digit = kind === DIGIT_CHAR
    i += width
    while (i < n) {
      const c = text.charCodeAt(i)
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1
      const k = classify(text, i, c)
      if (k === OTHER) break
      if (k === DIGIT_CHAR) digit = true
      i += w
    }
    const token = text.slice(start, i)
    tokens += 1
    sentenceEnd = false
    types.add(token.toLowerCase())
    if (digit || token.length >= LONG_WORD_LENGTH || (!sentenceStart && upperFirst)) specific += 1
  }
  return {
    length: text.length,
    tokens,
    typeTokenRatio: tokens ? types.size / tokens : 0,
    specificity: tokens ? specific / tokens : 0,
  }
}
