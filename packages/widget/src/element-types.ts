// The custom elements' attributes as types, shared by the React, Preact and Vue JSX entries.

/** Attributes every tightloop element reads: the answer it is about. */
export interface AnswerAttributes {
  /** The id of the bot answer the feedback is about (required: without it nothing renders). */
  'request-id': string
  /** The user's question, sent with the feedback. */
  prompt?: string
  /** The bot's answer text; a feedback bar reads its own text when this is missing. */
  response?: string
  /** Colour scheme; `auto` follows the page's `prefers-color-scheme`. */
  theme?: 'light' | 'dark' | 'auto'
}

/** `<tightloop-feedback>`: helpful / not helpful / edit the answer. */
export interface FeedbackElementAttributes extends AnswerAttributes {
  /** `"false"` hides "Edit answer". */
  editable?: 'true' | 'false'
}

/** `<tightloop-csat>`: a 1–5 satisfaction row. */
export type CsatElementAttributes = AnswerAttributes

/** `<tightloop-escalate>`: "Talk to a person", asking why. */
export interface EscalateElementAttributes extends AnswerAttributes {
  /** Present: the agent-console picker (the agent records why the chat came to them). */
  agent?: boolean | ''
  /** Called with the chosen reason once the escalation is queued (set as a property). */
  onEscalate?: (reason: string) => void
}

/** The three elements by tag name, for JSX `IntrinsicElements` declarations. */
export interface TightloopElements {
  'tightloop-feedback': FeedbackElementAttributes
  'tightloop-csat': CsatElementAttributes
  'tightloop-escalate': EscalateElementAttributes
}
