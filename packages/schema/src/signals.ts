// The feedback signals and their signal-to-noise weights (the seed article's ranking).

/** Every signal of wire protocol v1. */
export const SIGNALS = [
  'explicit_correction',
  'agent_escalation',
  'csat',
  'thumbs_down',
  'session_abandon',
  'rephrase',
  'thumbs_up',
  'response_shown',
  'prompt_asked',
  'page_left',
  'answer_resolved',
] as const

/** A feedback signal name. */
export type Signal = (typeof SIGNALS)[number]

/**
 * Facts the browser reports for the collector to derive implicit signals from (abandonment,
 * rephrase): a prompt asked, the page left, an answer the host marked as solving the problem.
 * Like `response_shown` they never train by themselves.
 */
export const FACT_SIGNALS = ['prompt_asked', 'page_left', 'answer_resolved'] as const

/** Signals that may become training data; `thumbs_up`, `response_shown` and facts never do. */
export type TrainingSignal = Exclude<
  Signal,
  'thumbs_up' | 'response_shown' | (typeof FACT_SIGNALS)[number]
>

/**
 * Weight of each training signal: how far a training row built from it is trusted.
 * `thumbs_up` is absent on purpose: happy users rarely click, so it measures engagement,
 * not quality (survivorship bias); it feeds drift charts only.
 *
 * @example SIGNAL_WEIGHTS.explicit_correction // 0.9
 */
export const SIGNAL_WEIGHTS: Readonly<Record<TrainingSignal, number>> =
  /* @__PURE__ */ Object.freeze({
    explicit_correction: 0.9,
    agent_escalation: 0.8,
    csat: 0.7,
    thumbs_down: 0.5,
    session_abandon: 0.4,
    rephrase: 0.3,
  })

/** True for signals that can ever become training rows. */
export function isTrainingSignal(signal: Signal): signal is TrainingSignal {
  return signal in SIGNAL_WEIGHTS
}

/** Escalation reasons a project starts with; each project may configure its own. */
export const DEFAULT_ESCALATION_REASONS = [
  'wrong_answer',
  'incomplete_answer',
  'needs_account_action',
  'policy_or_billing',
  'user_requested_human',
  'other',
] as const
