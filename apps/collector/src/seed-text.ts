// Text and randomness of the seed generator: support-bot prompts, answers and corrections
// with realistic variety, and a small seedable generator.

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

export function makePrompt(random: () => number): string {
  return `How do I ${pick(random, VERBS)} my ${pick(random, THINGS)}?`
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

export function makeCorrection(random: () => number): string {
  return `Actually you have to ${pick(random, VERBS)} the ${pick(random, THINGS)} from ${pick(random, PLACES)}, and it costs ${5 + Math.floor(random() * 90)} euros on ${pick(random, PLANS)}.`
}
