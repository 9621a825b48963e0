// Public API of @tightloop/widget: Preact components, custom elements, labels and state.
export { Csat, type CsatProps } from './csat.tsx'
export { defineElements, type ElementOptions, type EscalateEventDetail } from './elements.tsx'
export { Escalate, type EscalateProps } from './escalate.tsx'
export { FeedbackBar, type FeedbackBarProps } from './feedback.tsx'
export { EN, type Labels, languageOf, reasonLabel, resolveLabels } from './labels.ts'
export { de, fr, LANGUAGES } from './languages.ts'
export { type AnswerState, createStateStore, type StateStorage, type StateStore } from './state.ts'
export { adoptStyles, CSS } from './styles.ts'
export {
  createWidget,
  type FeedbackSink,
  loadEscalationReasons,
  type Widget,
  type WidgetOptions,
} from './widget.ts'
