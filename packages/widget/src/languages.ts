// German and French labels: the widget's other built-in languages. The script tag serves
// them as JSON (`/tightloop/lang/de.json`) and loads one only when a page asks for it.
import { EN, type Labels } from './labels.ts'

/**
 * German.
 *
 * @example createWidget({ client, labels: de })
 */
export const de: Labels = {
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

/**
 * French.
 *
 * @example createWidget({ client, lang: 'fr', languages: { fr } })
 */
export const fr: Labels = {
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

/**
 * Every built-in language, for `createWidget({ languages: LANGUAGES })`.
 *
 * @example createWidget({ client, lang: 'de', languages: LANGUAGES })
 */
export const LANGUAGES: Readonly<Record<string, Labels>> = { en: EN, de, fr }
