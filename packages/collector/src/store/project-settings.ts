// Project settings added after the first schema: kept as one JSON object per project, so a new
// setting needs no migration. Defaults apply to every key a stored object lacks.

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
}

/** Keys of {@link ProjectSettings}, in display order. */
export const PROJECT_SETTING_KEYS = [
  'evalHoldout',
  'adversaryPolicy',
  'requireAnswerLog',
  'eventWindowDays',
  'retentionDays',
] as const satisfies readonly (keyof ProjectSettings)[]

/** Days an event may lie before its receipt unless the project says otherwise. */
export const DEFAULT_EVENT_WINDOW_DAYS = 90

/** Settings of a project that never set any. */
export function settingsDefaults(): ProjectSettings {
  return {
    evalHoldout: true,
    adversaryPolicy: 'quarantine',
    requireAnswerLog: false,
    eventWindowDays: DEFAULT_EVENT_WINDOW_DAYS,
    retentionDays: null,
  }
}

/** The settings stored as JSON text (or an already-parsed object), with defaults filled in. */
export function readSettings(stored: string | object | null | undefined): ProjectSettings {
  const parsed = typeof stored === 'string' ? (JSON.parse(stored) as object) : (stored ?? {})
  return { ...settingsDefaults(), ...pickSettings(parsed as Partial<ProjectSettings>) }
}

/** Only the setting keys of a project record, for storing. */
export function pickSettings(record: Partial<ProjectSettings>): Partial<ProjectSettings> {
  const out: Partial<ProjectSettings> = {}
  for (const key of PROJECT_SETTING_KEYS) {
    if (record[key] !== undefined) (out as Record<string, unknown>)[key] = record[key]
  }
  return out
}
