// The scripted support bot of the demo: keyword rules, deliberately imperfect answers.

/** One scripted reply. */
export interface BotRule {
  keywords: string[]
  answer: string
}

/** Some answers are wrong or thin on purpose, so there is something to correct. */
export const RULES: BotRule[] = [
  {
    keywords: ['pin'],
    answer: 'To change your PIN, open Settings, then Security, then PIN. It takes effect at once.',
  },
  {
    keywords: ['fee', 'charge', 'cost'],
    answer: 'Transfers inside the euro area are free. Card payments abroad cost 1 %.',
  },
  {
    keywords: ['card', 'lost', 'stolen'],
    answer: 'Freeze your card under Cards, then Freeze card.',
  },
  {
    keywords: ['refund', 'dispute', 'money back'],
    answer: 'Refunds are not possible once a payment is booked.',
  },
  {
    keywords: ['hello', 'hi', 'hey'],
    answer: 'Hello! Ask me about PINs, fees, cards or refunds.',
  },
]

const FALLBACK = 'Sorry, I do not know that yet. Try asking about PINs, fees, cards or refunds.'

/**
 * The bot's answer to `question`: the first rule with a matching keyword.
 *
 * @example answerFor('How do I change my PIN?') // 'To change your PIN, …'
 */
export function answerFor(question: string): string {
  const text = question.toLowerCase()
  return RULES.find((rule) => rule.keywords.some((k) => text.includes(k)))?.answer ?? FALLBACK
}
