// Text and randomness of the seed generator: support-bot prompts, answers and corrections
// with realistic variety, and a small seedable generator.
import { seededRandom } from '@tightloop/pipeline'

const PLACES = [
  'Settings',
  'Billing',
  'Admin console',
  'Security',
  'Reports',
  'Integrations',
  'Team',
]
const THINGS = [
  'invoice',
  'workspace',
  'API key',
  'export',
  'subscription',
  'team seat',
  'webhook',
  'password',
]
const VERBS = ['reset', 'cancel', 'renew', 'download', 'rotate', 'transfer', 'archive', 'restore']
const PLANS = ['Starter', 'Team', 'Business', 'Enterprise']

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

const PROMPTS: ((verb: string, thing: string, random: () => number) => string)[] = [
  (verb, thing) => `How do I ${verb} my ${thing}?`,
  (verb, thing, random) => `Where in ${pick(random, PLACES)} can I ${verb} a ${thing}?`,
  (verb, thing) => `Why does it say I am not allowed to ${verb} the ${thing}?`,
  (verb, thing, random) => `Can a ${pick(random, PLANS)} plan ${verb} more than one ${thing}?`,
  (verb, thing) => `What happens to everything else once I ${verb} this ${thing}?`,
]

export function makePrompt(random: () => number): string {
  return pick(random, PROMPTS)(pick(random, VERBS), pick(random, THINGS), random)
}

export function makeAnswer(random: () => number): string {
  const sentences: string[] = []
  const count = 2 + Math.floor(random() * 4)
  for (let i = 0; i < count; i++) {
    const k = Math.floor(random() * 5)
    sentences.push(
      k === 0
        ? `Open ${pick(random, PLACES)} and choose the ${pick(random, THINGS)} you want to ${pick(random, VERBS)}.`
        : k === 1
          ? `This is available on the ${pick(random, PLANS)} plan and above, from version ${1 + Math.floor(random() * 9)}.${Math.floor(random() * 20)}.`
          : k === 2
            ? `It can take up to ${2 + Math.floor(random() * 70)} hours before the change shows everywhere.`
            : k === 3
              ? `If the ${pick(random, THINGS)} is locked, ask an administrator in ${pick(random, PLACES)} to ${pick(random, VERBS)} it first.`
              : `You will receive a confirmation email at the address on your profile.`,
    )
  }
  return sentences.join(' ')
}

/**
 * A user's fix of an answer: an opener, two of ten kinds of claim and sometimes a sign-off,
 * each with its own words. Honest users do not share a template; one shared template would
 * look like a ring spreading a claim (the adversary rules' `ring`). Draws five numbers from
 * `random`, as the seed always did, and varies the text with a generator seeded by them, so
 * every other seeded value stays the same.
 */
export function makeCorrection(random: () => number): string {
  let seed = 0
  for (let i = 0; i < 5; i++) seed = (Math.imul(seed, 31) + Math.floor(random() * 2 ** 32)) >>> 0
  const local = seededRandom(seed)
  const slot = () => ({
    v: pick(local, VERBS),
    t: pick(local, THINGS),
    p: pick(local, PLACES),
    l: pick(local, PLANS),
    n: 2 + Math.floor(local() * 98),
  })
  const first = Math.floor(local() * CLAIMS.length)
  const second = (first + 1 + Math.floor(local() * (CLAIMS.length - 1))) % CLAIMS.length
  const parts = [pick(local, OPENERS), CLAIMS[first]!(slot()), CLAIMS[second]!(slot())]
  if (local() < 0.5) parts.push(pick(local, CLOSERS))
  return parts.filter(Boolean).join(' ')
}

type Slot = { v: string; t: string; p: string; l: string; n: number }

const OPENERS = [
  'Actually,',
  "That's wrong.",
  'No.',
  'Not quite:',
  'This is outdated.',
  'Hmm, no.',
  'Careful here:',
  '',
  'Small fix:',
  'Wrong answer.',
]

const CLAIMS: ((s: Slot) => string)[] = [
  (s) => `you have to ${s.v} the ${s.t} from ${s.p}.`,
  (s) => `On the ${s.l} plan it costs ${s.n} euros a month.`,
  (s) => `${s.p} does not have that option anymore since release ${s.n}.`,
  (s) => `Only an admin can ${s.v} a ${s.t}, regular members get an error.`,
  (s) => `It took ${s.n} minutes before my ${s.t} showed up again.`,
  (s) => `The button is called "${s.v}" and it sits at the bottom of ${s.p}.`,
  (s) => `I had to use the mobile app, the web page never loaded the ${s.t} list.`,
  (s) => `The limit is ${s.n} per day, not unlimited as you say.`,
  (s) => `Support told me to ${s.v} it from ${s.p} and wait a day.`,
  (s) => `${s.l} customers never pay for this, it is included.`,
]

const CLOSERS = [
  'Please fix.',
  'Thanks anyway.',
  'Cost me an hour.',
  'Just so you know.',
  '(tested today)',
  'Same for my colleagues.',
]
