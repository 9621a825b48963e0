// Every text the controls show, in English; any label can be overridden (German and French
// are in languages.ts, kept apart so the script tag loads them only when a page needs them).

/** The texts of the controls. Accessible names come from `helpful`…`talkToPerson`. */
export interface Labels {
  helpful: string
  notHelpful: string
  editAnswer: string
  talkToPerson: string
  thanks: string
  whatWasWrong: string
  /** Reason chips after a thumbs down, by code. */
  wrongReasons: Record<string, string>
  commentLabel: string
  send: string
  skip: string
  save: string
  cancel: string
  editorLabel: string
  edited: string
  csatQuestion: string
  /** Names of the scores 1–5. */
  csatScores: [string, string, string, string, string]
  csatThanks: string
  escalateQuestion: string
  agentReasonLabel: string
  chooseReason: string
  escalated: string
  /** Escalation reasons by code; unknown codes are shown with spaces for underscores. */
  reasons: Record<string, string>
}

/**
 * The English labels, the default.
 *
 * @example createWidget({ client, labels: { ...EN, helpful: 'Useful' } })
 */
export const EN: Labels = {
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  editAnswer: 'Edit answer',
  talkToPerson: 'Talk to a person',
  thanks: 'Thanks for your feedback',
  whatWasWrong: 'What was wrong?',
  wrongReasons: {
    incorrect: 'Incorrect',
    incomplete: 'Incomplete',
    irrelevant: 'Off topic',
    unclear: 'Hard to follow',
  },
  commentLabel: 'Anything else? (optional)',
  send: 'Send',
  skip: 'Skip',
  save: 'Save',
  cancel: 'Cancel',
  editorLabel: 'Your corrected answer',
  edited: 'Your edit was sent',
  csatQuestion: 'How satisfied are you with this conversation?',
  csatScores: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
  csatThanks: 'Thanks for rating us',
  escalateQuestion: 'Why do you want to talk to a person?',
  agentReasonLabel: 'Escalation reason',
  chooseReason: 'Choose a reason',
  escalated: 'A person will take over',
  reasons: {
    wrong_answer: 'The answer was wrong',
    incomplete_answer: 'The answer was incomplete',
    needs_account_action: 'I need something done on my account',
    policy_or_billing: 'A billing or policy question',
    user_requested_human: 'I would rather talk to a person',
    other: 'Something else',
  },
}

/**
 * The primary subtag of a language tag.
 *
 * @example languageOf('de-AT') // 'de'
 */
export const languageOf = (lang = 'en') => lang.toLowerCase().split('-')[0]!

/**
 * The labels for `lang` from `languages` (`de-AT` takes `de`; unknown or missing, English)
 * with `overrides` on top; `reasons` is merged key by key, `wrongReasons` replaced whole.
 *
 * @example resolveLabels('fr', { helpful: 'Top' }, LANGUAGES).notHelpful // 'Pas utile'
 */
export function resolveLabels(
  lang?: string,
  overrides: Partial<Labels> = {},
  languages: Readonly<Record<string, Labels>> = { en: EN },
): Labels {
  const base = languages[languageOf(lang)] ?? EN
  return {
    ...base,
    ...overrides,
    reasons: { ...base.reasons, ...overrides.reasons },
    wrongReasons: overrides.wrongReasons ?? base.wrongReasons,
  }
}

/**
 * How an escalation reason code reads: its label, else the code with spaces.
 *
 * @example reasonLabel(EN, 'refund_request') // 'refund request'
 */
export function reasonLabel(labels: Labels, code: string): string {
  return labels.reasons[code] ?? code.replace(/_/g, ' ')
}
