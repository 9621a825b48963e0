// Synthetic support-bot prompts, answers and user corrections with realistic variety.
// Not part of the public API.
import { intBetween, pick, type Random } from './random.ts'

const PRODUCTS = [
  'invoice',
  'workspace',
  'API key',
  'export',
  'subscription',
  'team seat',
  'webhook',
  'report',
  'password',
  'two-factor code',
  'mobile app',
  'integration',
]
const PLACES = [
  'Settings',
  'Billing',
  'Admin console',
  'Profile',
  'Security',
  'Reports',
  'Integrations',
  'Team',
  'Notifications',
  'Developer',
]
const VERBS = [
  'reset',
  'download',
  'cancel',
  'rename',
  'transfer',
  'delete',
  'renew',
  'share',
  'restore',
  'verify',
  'archive',
  'upgrade',
]
const PLANS = ['Free', 'Starter', 'Pro', 'Business', 'Enterprise']
const BUTTONS = ['Save', 'Continue', 'Confirm', 'Apply', 'Send link', 'Regenerate', 'Export CSV']
const STATES = [
  'verified',
  'paid',
  'unlocked',
  'shared with you',
  'out of trial',
  'owned by an admin',
]
const MONTHS = ['January', 'March', 'May', 'July', 'September', 'November']
const OPENERS = [
  '',
  'Actually, ',
  'No - ',
  'Not quite: ',
  'Small fix: ',
  'Correct answer: ',
  'This changed. ',
  'Wrong. ',
]

/** A user question; topics repeat, wording varies. */
export function makePrompt(random: Random): string {
  const product = pick(random, PRODUCTS)
  const verb = pick(random, VERBS)
  return pick(random, [
    `How do I ${verb} my ${product}?`,
    `Where can I ${verb} the ${product}?`,
    `can't ${verb} ${product}, help`,
    `Is it possible to ${verb} a ${product} on the ${pick(random, PLANS)} plan?`,
    `My ${product} is not working after I tried to ${verb} it. What now?`,
    `¿Cómo puedo ${verb} mi ${product}?`,
  ])
}

/** A bot answer of 1 to 5 sentences. */
export function makeAnswer(random: Random): string {
  const sentences: string[] = []
  const n = intBetween(random, 1, 5)
  for (let i = 0; i < n; i++) {
    sentences.push(
      pick(random, [
        `Open ${pick(random, PLACES)} and choose ${pick(random, PRODUCTS)}.`,
        `Click ${pick(random, BUTTONS)} to ${pick(random, VERBS)} it.`,
        `This is available on the ${pick(random, PLANS)} plan and above.`,
        `It can take up to ${intBetween(random, 2, 72)} hours to take effect.`,
        `If the ${pick(random, PRODUCTS)} is ${pick(random, STATES)}, you can ${pick(random, VERBS)} it right away.`,
        `You will receive an email at the address on your profile.`,
        `Contact your administrator if the option is greyed out.`,
      ]),
    )
  }
  return sentences.join(' ')
}

function correctionSentence(random: Random): string {
  return pick(random, [
    `you have to ${pick(random, VERBS)} the ${pick(random, PRODUCTS)} from ${pick(random, PLACES)}, not ${pick(random, PLACES)}.`,
    `the ${pick(random, PLANS)} plan now costs ${intBetween(random, 5, 99)} euros per ${pick(random, ['month', 'seat', 'year'])}.`,
    `the ${pick(random, PRODUCTS)} must be ${pick(random, STATES)} before you can ${pick(random, VERBS)} it.`,
    `open ${pick(random, PLACES)}, pick ${pick(random, PRODUCTS)}, then press ${pick(random, BUTTONS)}.`,
    `${pick(random, PRODUCTS)} ${pick(random, VERBS)} is only on ${pick(random, PLANS)} since ${pick(random, MONTHS)}.`,
    `there is no ${pick(random, BUTTONS)} button any more, use the menu next to the ${pick(random, PRODUCTS)}.`,
  ])
}

/**
 * An honest correction of `answer`: usually an edit of the answer itself, sometimes a fresh
 * sentence, sometimes with a link to the help centre (or, rarely, elsewhere).
 */
export function makeHonestCorrection(random: Random, answer: string): string {
  const r = random()
  let text: string
  if (r < 0.5) {
    const sentences = answer.split('. ')
    sentences[intBetween(random, 0, sentences.length - 1)] = correctionSentence(random)
    text = sentences.join('. ')
  } else {
    text = `${pick(random, OPENERS)}${correctionSentence(random)}`
    if (random() < 0.3) text += ` ${correctionSentence(random)}`
  }
  const link = random()
  if (link < 0.08)
    text += ` See https://help.acme.example/${pick(random, PRODUCTS).replace(' ', '-')}`
  else if (link < 0.09)
    text += ` Explained here: https://www.youtube.com/watch?v=${intBetween(random, 1e5, 1e6)}`
  return text
}

/** A correction that only fixes a typo or two (well under 10 edits). */
export function makeTypoFix(random: Random, answer: string): string {
  const at = intBetween(random, 0, Math.max(0, answer.length - 2))
  return `${answer.slice(0, at)}${answer.charAt(at + 1)}${answer.charAt(at)}${answer.slice(at + 2)}`
}
