// The demo page's own words in each language of the switch (the widget translates its own).

/** Languages of the page's language switch. */
export type Lang = 'en' | 'de' | 'fr'

const EN = {
  chatTitle: 'Chat with our assistant',
  faqTitle: 'Popular answers',
  greeting: 'Hi! I am the Acme assistant. Ask me about PINs, fees, cards or refunds.',
  question: 'Your question',
  send: 'Send',
  endChat: 'End chat',
  newChat: 'New chat',
  theme: 'Theme',
  language: 'Language',
  agentConsole: 'Agent console',
  faqCardQ: 'I lost my card',
  faqCardA:
    'Freeze it at once under Cards, then Freeze card. A new card arrives in 3 to 5 working days.',
  faqLimitQ: 'What is my transfer limit?',
  faqLimitA: 'You can send up to 10,000 EUR a day. Raise it under Settings, then Limits.',
  connecting: (reason: string) =>
    `Connecting you to a person (reason: ${reason}). An agent will reply here.`,
  delivered: 'All feedback delivered to the collector',
  waiting: (n: number) => `${n} event(s) waiting to be sent`,
  stopped: (error: string) => `Sending stopped: ${error}`,
}

/** The page's words in one language. */
export type PageText = typeof EN

const TEXT: Record<Lang, PageText> = {
  en: EN,
  de: {
    chatTitle: 'Chat mit unserem Assistenten',
    faqTitle: 'Häufige Antworten',
    greeting:
      'Hallo! Ich bin der Acme-Assistent. Fragen Sie mich zu PIN, Gebühren, Karten oder Erstattungen.',
    question: 'Ihre Frage',
    send: 'Senden',
    endChat: 'Chat beenden',
    newChat: 'Neuer Chat',
    theme: 'Design',
    language: 'Sprache',
    agentConsole: 'Agentenkonsole',
    faqCardQ: 'Ich habe meine Karte verloren',
    faqCardA:
      'Sperren Sie sie sofort unter Karten, dann Karte sperren. Eine neue Karte kommt in 3 bis 5 Werktagen.',
    faqLimitQ: 'Wie hoch ist mein Überweisungslimit?',
    faqLimitA:
      'Sie können bis zu 10.000 EUR am Tag senden. Erhöhen Sie es unter Einstellungen, dann Limits.',
    connecting: (reason) =>
      `Sie werden mit einer Person verbunden (Grund: ${reason}). Ein Mitarbeiter antwortet hier.`,
    delivered: 'Alles Feedback ist beim Collector angekommen',
    waiting: (n) => `${n} Ereignis(se) warten auf den Versand`,
    stopped: (error) => `Versand angehalten: ${error}`,
  },
  fr: {
    chatTitle: 'Discutez avec notre assistant',
    faqTitle: 'Réponses fréquentes',
    greeting:
      'Bonjour ! Je suis l’assistant Acme. Posez-moi vos questions sur le code PIN, les frais, les cartes ou les remboursements.',
    question: 'Votre question',
    send: 'Envoyer',
    endChat: 'Terminer la discussion',
    newChat: 'Nouvelle discussion',
    theme: 'Thème',
    language: 'Langue',
    agentConsole: 'Console agent',
    faqCardQ: 'J’ai perdu ma carte',
    faqCardA:
      'Bloquez-la tout de suite sous Cartes, puis Bloquer la carte. Une nouvelle carte arrive sous 3 à 5 jours ouvrés.',
    faqLimitQ: 'Quel est mon plafond de virement ?',
    faqLimitA:
      'Vous pouvez envoyer jusqu’à 10 000 EUR par jour. Relevez-le sous Réglages, puis Plafonds.',
    connecting: (reason) =>
      `Nous vous mettons en relation avec une personne (motif : ${reason}). Un conseiller vous répondra ici.`,
    delivered: 'Tous les retours sont arrivés au collecteur',
    waiting: (n) => `${n} événement(s) en attente d’envoi`,
    stopped: (error) => `Envoi arrêté : ${error}`,
  },
}

/**
 * The page's words in `lang` (English for a language the page does not know).
 *
 * @example pageText('de').send // 'Senden'
 */
export function pageText(lang: string): PageText {
  return TEXT[lang as Lang] ?? EN
}

/**
 * Writes the static page's words: every element with `data-text="key"` gets that key's text.
 *
 * @example applyPageText(document, 'fr')
 */
export function applyPageText(root: ParentNode, lang: string): void {
  const text = pageText(lang)
  for (const el of root.querySelectorAll<HTMLElement>('[data-text]')) {
    const value = text[el.dataset.text as keyof PageText]
    if (typeof value === 'string') el.textContent = value
  }
}
