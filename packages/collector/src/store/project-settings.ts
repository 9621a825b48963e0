// Project settings added after the first schema: kept as one JSON object per project, so a new
// setting needs no migration. Defaults apply to every key a stored object lacks.
import {
  DEFAULT_MIN_RELATIVE,
  DEFAULT_REPHRASE_THRESHOLD,
  REPHRASE_SCALE,
  rescaleThreshold,
} from '@tightloop/pipeline'

/** Settings stored in the project's `settings` JSON; every one has a default. */
export interface ProjectSettings {
  /** Keep feedback about answers in the frozen eval slice out of every export (default on). */
  evalHoldout: boolean
  /**
   * What happens to a user a rule flags: `quarantine` (default) keeps their events out of
   * exports until a person dismisses the flag; `include-until-confirmed` keeps them in until
   * a person confirms it.
   */
  adversaryPolicy: 'quarantine' | 'include-until-confirmed'
  /** Feedback about a request whose answer the bot's backend never logged does not train. */
  requireAnswerLog: boolean
  /** An event's time must lie within this many days before its receipt (default 90). */
  eventWindowDays: number
  /** Raw events older than this many days are deleted; null keeps them forever (default). */
  retentionDays: number | null
  /**
   * Minutes of inactivity that end a session: its last answer with no explicit signal is then
   * abandoned, and a prompt rephrases only earlier ones within this long (default 30).
   */
  sessionIdleMinutes: number
  /** Similarity at or above which a prompt rephrases an earlier one (default 0.605; > 1: off). */
  rephraseThreshold: number
  /**
   * The collector derives abandonment and rephrase from session timelines (default on); the
   * `session_abandon` and `rephrase` events older browsers send are then stored, not trained on.
   */
  deriveImplicitSignals: boolean
  /** Only corrections a reviewer approved or edited train (`not_reviewed`); default off. */
  reviewedOnly: boolean
  /**
   * A user whose review record puts them below this share of the project's approval rate is
   * unreliable: their feedback does not train (`unreliable_user`); default 0.8.
   */
  minReliability: number
  /** Items waiting for review (corrections and flagged users) that raise `review_pending`. */
  reviewPendingThreshold: number
}

/** Keys of {@link ProjectSettings}, in display order. */
export const PROJECT_SETTING_KEYS = [
  'evalHoldout',
  'adversaryPolicy',
  'requireAnswerLog',
  'eventWindowDays',
  'retentionDays',
  'sessionIdleMinutes',
  'rephraseThreshold',
  'deriveImplicitSignals',
  'reviewedOnly',
  'minReliability',
  'reviewPendingThreshold',
] as const satisfies readonly (keyof ProjectSettings)[]

/** Days an event may lie before its receipt unless the project says otherwise. */
export const DEFAULT_EVENT_WINDOW_DAYS = 90

/** A session ends after 30 minutes without activity (the rule, and GA's default). */
export const DEFAULT_SESSION_IDLE_MINUTES = 30

/** A review queue this long (or longer) tells the `review_pending` webhooks, once a day. */
export const DEFAULT_REVIEW_PENDING_THRESHOLD = 25

/** Settings of a project that never set any. */
export function settingsDefaults(): ProjectSettings {
  return {
    evalHoldout: true,
    adversaryPolicy: 'quarantine',
    requireAnswerLog: false,
    eventWindowDays: DEFAULT_EVENT_WINDOW_DAYS,
    retentionDays: null,
    sessionIdleMinutes: DEFAULT_SESSION_IDLE_MINUTES,
    rephraseThreshold: DEFAULT_REPHRASE_THRESHOLD,
    deriveImplicitSignals: true,
    reviewedOnly: false,
    minReliability: DEFAULT_MIN_RELATIVE,
    reviewPendingThreshold: DEFAULT_REVIEW_PENDING_THRESHOLD,
  }
}

/** Stored settings: the setting keys, and the scale a stored rephrase threshold is on. */
type StoredSettings = Partial<ProjectSettings> & { rephraseScale?: number }

/**
 * The settings stored as JSON text (or an already-parsed object), with defaults filled in. A
 * rephrase threshold stored before the similarity gained word vectors (no `rephraseScale`) is
 * carried over to today's scale.
 */
export function readSettings(stored: string | object | null | undefined): ProjectSettings {
  const parsed = (
    typeof stored === 'string' ? JSON.parse(stored) : (stored ?? {})
  ) as StoredSettings
  const settings = { ...settingsDefaults(), ...pickSettings(parsed) }
  if (parsed.rephraseThreshold !== undefined)
    settings.rephraseThreshold = rescaleThreshold(
      settings.rephraseThreshold,
      parsed.rephraseScale ?? 1,
    )
  return settings
}

/** Only the setting keys of a project record, for storing (with the rephrase scale). */
export function pickSettings(record: Partial<ProjectSettings>): StoredSettings {
  const out: StoredSettings = {}
  for (const key of PROJECT_SETTING_KEYS) {
    if (record[key] !== undefined) (out as Record<string, unknown>)[key] = record[key]
  }
  if (out.rephraseThreshold !== undefined) out.rephraseScale = REPHRASE_SCALE
  return out
}
