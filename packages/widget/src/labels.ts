// Every text the controls show, in English, German and French; any label can be overridden.

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

const en: Labels = {
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

const de: Labels = {
  helpful: 'Hilfreich',
  notHelpful: 'Nicht hilfreich',
  editAnswer: 'Antwort bearbeiten',
  talkToPerson: 'Mit einem Menschen sprechen',
  thanks: 'Danke für Ihr Feedback',
  whatWasWrong: 'Was war falsch?',
  wrongReasons: {
    incorrect: 'Falsch',
    incomplete: 'Unvollständig',
    irrelevant: 'Am Thema vorbei',
    unclear: 'Schwer verständlich',
  },
  commentLabel: 'Noch etwas? (optional)',
  send: 'Senden',
  skip: 'Überspringen',
  save: 'Speichern',
  cancel: 'Abbrechen',
  editorLabel: 'Ihre korrigierte Antwort',
  edited: 'Ihre Korrektur wurde gesendet',
  csatQuestion: 'Wie zufrieden sind Sie mit diesem Gespräch?',
  csatScores: ['Sehr unzufrieden', 'Unzufrieden', 'Neutral', 'Zufrieden', 'Sehr zufrieden'],
  csatThanks: 'Danke für Ihre Bewertung',
  escalateQuestion: 'Warum möchten Sie mit einem Menschen sprechen?',
  agentReasonLabel: 'Grund der Übergabe',
  chooseReason: 'Grund wählen',
  escalated: 'Ein Mensch übernimmt',
  reasons: {
    wrong_answer: 'Die Antwort war falsch',
    incomplete_answer: 'Die Antwort war unvollständig',
    needs_account_action: 'Mein Konto muss bearbeitet werden',
    policy_or_billing: 'Eine Frage zu Rechnung oder Richtlinien',
    user_requested_human: 'Ich möchte lieber mit einem Menschen sprechen',
    other: 'Etwas anderes',
  },
}

const fr: Labels = {
  helpful: 'Utile',
  notHelpful: 'Pas utile',
  editAnswer: 'Modifier la réponse',
  talkToPerson: 'Parler à une personne',
  thanks: 'Merci pour votre avis',
  whatWasWrong: 'Qu’est-ce qui n’allait pas ?',
  wrongReasons: {
    incorrect: 'Inexact',
    incomplete: 'Incomplet',
    irrelevant: 'Hors sujet',
    unclear: 'Difficile à suivre',
  },
  commentLabel: 'Autre chose ? (facultatif)',
  send: 'Envoyer',
  skip: 'Passer',
  save: 'Enregistrer',
  cancel: 'Annuler',
  editorLabel: 'Votre réponse corrigée',
  edited: 'Votre correction a été envoyée',
  csatQuestion: 'Êtes-vous satisfait de cette conversation ?',
  csatScores: ['Très insatisfait', 'Insatisfait', 'Neutre', 'Satisfait', 'Très satisfait'],
  csatThanks: 'Merci pour votre note',
  escalateQuestion: 'Pourquoi voulez-vous parler à une personne ?',
  agentReasonLabel: 'Motif du transfert',
  chooseReason: 'Choisir un motif',
  escalated: 'Une personne va prendre le relais',
  reasons: {
    wrong_answer: 'La réponse était fausse',
    incomplete_answer: 'La réponse était incomplète',
    needs_account_action: 'J’ai besoin d’une action sur mon compte',
    policy_or_billing: 'Une question de facturation ou de règles',
    user_requested_human: 'Je préfère parler à une personne',
    other: 'Autre chose',
  },
}

/** The built-in languages. */
export const LANGUAGES: Readonly<Record<string, Labels>> = { en, de, fr }

/**
 * The labels for `lang` (`de-AT` falls back to `de`, unknown to English) with `overrides`
 * on top; the nested maps (`reasons`, `wrongReasons`) are merged key by key.
 *
 * @example resolveLabels('fr', { helpful: 'Top' }).notHelpful // 'Pas utile'
 */
export function resolveLabels(lang = 'en', overrides: Partial<Labels> = {}): Labels {
  const base = LANGUAGES[lang.toLowerCase().split('-')[0]!] ?? en
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
 * @example reasonLabel(resolveLabels(), 'refund_request') // 'refund request'
 */
export function reasonLabel(labels: Labels, code: string): string {
  return labels.reasons[code] ?? code.replace(/_/g, ' ')
}
