// `tightloop project`: create a project, rotate its keys, change its origins and settings.
import {
  originProblem,
  type ProjectInput,
  type ProjectRecord,
  provisionProject,
  publicView,
  rotateKeys,
} from '@tightloop/collector'
import {
  CliError,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_OK,
  type ParsedFlags,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { parseListFlag, printTable } from './format.ts'

const HELP = `Usage: tightloop project <create|list|show|set|rotate> [options]

  tightloop project create --name <name> [settings]   prints the keys; the secret only once
  tightloop project list
  tightloop project show [--project <id|name>]
  tightloop project set [settings]                    change the settings given, keep the rest
  tightloop project rotate --kind <public|secret> [--grace <duration>]

Settings:
  --name <name>                  display name
  --origins <a,b>                origins allowed to send from a browser, e.g.
                                 https://support.example.com; https://*.example.com
                                 for every subdomain; "*" allows any
  --escalation-reasons <a,b>     reasons the widget offers and ingest accepts
  --ttl-days <n>                 days before feedback is too stale to train on (default 45)
  --auto-ban <true|false>        older switch: true acts as --adversary-policy quarantine
  --adversary-policy <policy>    quarantine (default): a flagged user is out of exports until a
                                 person dismisses the flag; include-until-confirmed: in until
                                 a person confirms it
  --eval-holdout <on|off>        keep feedback about eval-slice answers out of training
                                 (default on; off lets the eval answers train)
  --scrub-pii <true|false>       replace e-mails, card and phone numbers before storing
  --reviewed-only <on|off>       only corrections a reviewer approved or edited train
  --min-reliability <x>          a user below this share of the project's review approval
                                 rate is unreliable: their feedback does not train (0.8)
  --event-window-days <n>        an event's time must lie within n days before its receipt,
                                 else ingest refuses it (default 90)
  --retention-days <n|off>       delete raw events older than n days, hourly while the
                                 collector runs (default off: kept until erased)
  --require-answer-log <on|off>  only feedback about answers the backend logged trains
  --session-idle-minutes <n>     inactivity that ends a session: abandonment, rephrase window
                                 (default 30)
  --rephrase-threshold <x>       prompt similarity that counts as a rephrase (default 0.353)
  --derive-implicit <true|false> derive abandonment and rephrase from sessions (default true)

Rotation:
  --kind <public|secret>         which key to replace
  --grace <duration>             how long the old keys keep working: 0, 90m, 12h, 7d or ms
                                 (default 7d)
  --json                         print JSON instead of text
${DATABASE_HELP}

Example:
  tightloop project create --name support --origins https://support.example.com
`

const MAX_REASON_LENGTH = 64
const DAY_MS = 86_400_000
const DEFAULT_GRACE_MS = 7 * DAY_MS // pages cached for a week keep sending with the old key

const OPTIONS = {
  ...DATABASE_OPTIONS,
  name: { type: 'string' },
  origins: { type: 'string' },
  'escalation-reasons': { type: 'string' },
  'ttl-days': { type: 'string' },
  'auto-ban': { type: 'string' },
  'adversary-policy': { type: 'string' },
  'eval-holdout': { type: 'string' },
  'scrub-pii': { type: 'string' },
  'retention-days': { type: 'string' },
  'event-window-days': { type: 'string' },
  'reviewed-only': { type: 'string' },
  'min-reliability': { type: 'string' },
  'require-answer-log': { type: 'string' },
  'session-idle-minutes': { type: 'string' },
  'rephrase-threshold': { type: 'string' },
  'derive-implicit': { type: 'string' },
  kind: { type: 'string' },
  grace: { type: 'string' },
  json: { type: 'boolean' },
} as const

type Values = ParsedFlags<typeof OPTIONS>['values']

/** The `project` command. */
export const projectCommand: Command = {
  name: 'project',
  summary: 'create a project, rotate keys, set origins and escalation reasons',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'project')
    const [action, ...extra] = positionals
    rejectExtraArguments(extra, 'project')
    const out = (text: string) => io.stdout.write(text)
    switch (action) {
      case 'create': {
        if (!values.name) throw new CliError('project create needs --name <name>')
        const settings = readSettings(values)
        return withStore(
          io,
          values.database,
          async (store) => {
            const made = await provisionProject(store, { ...settings, name: values.name! })
            if (values.json) {
              out(
                `${JSON.stringify({ ...publicView(made.project), publicKey: made.publicKey, secretKey: made.secretKey }, null, 2)}\n`,
              )
            } else {
              out(`created project ${made.project.name} (${made.project.id})\n`)
              out(`  public key: ${made.publicKey}\n  secret key: ${made.secretKey}\n`)
              out('The secret key is stored hashed: keep it now, it is not shown again.\n')
            }
            return EXIT_OK
          },
          { create: true },
        )
      }
      case 'list':
        return withStore(io, values.database, async (store) => {
          const projects = await store.listProjects()
          if (values.json) out(`${JSON.stringify(projects.map(publicView), null, 2)}\n`)
          else
            printTable(
              io.stdout,
              ['id', 'name', 'origins', 'ttl days', 'auto-ban'],
              projects.map((p) => [
                p.id,
                p.name,
                p.allowedOrigins.join(',') || '(none)',
                String(p.ttlDays),
                p.autoBanAdversaries ? 'yes' : 'no',
              ]),
            )
          return EXIT_OK
        })
      case 'show':
      case 'set':
        return withStore(io, values.database, async (store) => {
          let project = await selectProject(store, values.project)
          if (action === 'set') {
            const patch = { ...readSettings(values), ...(values.name && { name: values.name }) }
            if (Object.keys(patch).length === 0) {
              throw new CliError(
                'project set needs at least one setting',
                'See "tightloop project --help".',
              )
            }
            project = await store.updateProject(project.id, patch)
          }
          out(values.json ? `${JSON.stringify(publicView(project), null, 2)}\n` : describe(project))
          return EXIT_OK
        })
      case 'rotate': {
        const kind = values.kind
        if (kind !== 'public' && kind !== 'secret') {
          throw new CliError('project rotate needs --kind public or --kind secret')
        }
        const graceMs = values.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(values.grace)
        return withStore(io, values.database, async (store) => {
          const project = await selectProject(store, values.project)
          const key = await rotateKeys(store, project.id, { kind, graceMs })
          const until = new Date(Date.now() + graceMs).toISOString()
          if (values.json) out(`${JSON.stringify({ kind, key, oldKeysExpireAt: until })}\n`)
          else {
            out(`new ${kind} key for ${project.name}: ${key}\n`)
            out(`older ${kind} keys stop working at ${until}\n`)
            if (kind === 'secret') out('The secret key is stored hashed: keep it now.\n')
          }
          return EXIT_OK
        })
      }
      default:
        throw new CliError(
          action
            ? `unknown action "${action}"`
            : 'project needs an action: create, list, show, set or rotate',
          'See "tightloop project --help".',
        )
    }
  },
}

function readSettings(values: Values): Partial<ProjectInput> {
  const settings: Partial<ProjectInput> = {}
  if (values.origins !== undefined) {
    const origins = parseListFlag(values.origins)
    for (const origin of origins) {
      const problem = originProblem(origin)
      if (problem) throw new CliError(`--origins: ${problem}`)
    }
    settings.allowedOrigins = origins
  }
  if (values['escalation-reasons'] !== undefined) {
    const reasons = parseListFlag(values['escalation-reasons'])
    if (reasons.length === 0) throw new CliError('--escalation-reasons needs at least one reason')
    const long = reasons.find((r) => r.length > MAX_REASON_LENGTH)
    if (long) throw new CliError(`escalation reason "${long}" is longer than ${MAX_REASON_LENGTH}`)
    settings.escalationReasons = reasons
  }
  if (values['ttl-days'] !== undefined) {
    const days = Number(values['ttl-days'])
    if (!/^\d+$/.test(values['ttl-days']) || days < 1 || days > 3650) {
      throw new CliError(
        `--ttl-days must be a whole number from 1 to 3650, not "${values['ttl-days']}"`,
      )
    }
    settings.ttlDays = days
  }
  if (values['event-window-days'] !== undefined) {
    const days = Number(values['event-window-days'])
    if (!/^\d+$/.test(values['event-window-days']) || days < 1 || days > 3650) {
      throw new CliError(
        `--event-window-days must be a whole number from 1 to 3650, not "${values['event-window-days']}"`,
      )
    }
    settings.eventWindowDays = days
  }
  if (values['retention-days'] !== undefined)
    settings.retentionDays = retentionDays(values['retention-days'])
  if (values['auto-ban'] !== undefined)
    settings.autoBanAdversaries = bool('--auto-ban', values['auto-ban'])
  if (values['scrub-pii'] !== undefined)
    settings.scrubPii = bool('--scrub-pii', values['scrub-pii'])
  if (values['require-answer-log'] !== undefined)
    settings.requireAnswerLog = bool('--require-answer-log', values['require-answer-log'])
  if (values['reviewed-only'] !== undefined)
    settings.reviewedOnly = bool('--reviewed-only', values['reviewed-only'])
  if (values['min-reliability'] !== undefined) {
    const share = Number(values['min-reliability'])
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(values['min-reliability'])) {
      throw new CliError(
        `--min-reliability must be a number from 0 to 1, not "${values['min-reliability']}"`,
      )
    }
    settings.minReliability = share
  }
  if (values['eval-holdout'] !== undefined)
    settings.evalHoldout = bool('--eval-holdout', values['eval-holdout'])
  const policy = values['adversary-policy']
  if (policy !== undefined) {
    if (policy !== 'quarantine' && policy !== 'include-until-confirmed') {
      throw new CliError(
        `--adversary-policy must be quarantine or include-until-confirmed, not "${policy}"`,
      )
    }
    settings.adversaryPolicy = policy
  }
  Object.assign(settings, implicitSettings(values))
  return settings
}

/** `off` or whole days from 1 to 36500 (a hundred years: anything longer is a typo). */
function retentionDays(value: string): number | null {
  if (value === 'off') return null
  const days = Number(value)
  if (!/^\d+$/.test(value) || days < 1 || days > 36_500) {
    throw new CliError(
      `--retention-days must be off or a whole number from 1 to 36500, not "${value}"`,
    )
  }
  return days
}

function bool(flag: string, value: string): boolean {
  if (value === 'true' || value === 'yes' || value === 'on') return true
  if (value === 'false' || value === 'no' || value === 'off') return false
  throw new CliError(`${flag} must be true or false, not "${value}"`)
}

/** `0`, `90m`, `12h`, `7d`, or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!match)
    throw new CliError(`--grace must look like 0, 90m, 12h, 7d or a number of ms, not "${text}"`)
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] ?? 'ms']!
  return Number(match[1]) * unit
}

function describe(p: ProjectRecord): string {
  return `${p.name} (${p.id})
  origins:            ${p.allowedOrigins.join(', ') || '(none: browsers cannot send)'}
  escalation reasons: ${p.escalationReasons.join(', ')}
  ttl days:           ${p.ttlDays}
  adversary policy:   ${p.autoBanAdversaries ? 'quarantine (auto-ban is on)' : p.adversaryPolicy}
  eval holdout:       ${p.evalHoldout ? 'on' : 'OFF: feedback about eval-slice answers trains'}
  scrub PII:          ${p.scrubPii ? 'yes' : 'no'}
  event window:       ${p.eventWindowDays} days (older or future events are refused at ingest)
  retention:          ${p.retentionDays === null ? 'off (raw events kept until erased)' : `${p.retentionDays} days`}
  review:             ${p.reviewedOnly ? 'only reviewed corrections train' : 'reviewed corrections train as "reviewed"'}; unreliable below ${p.minReliability}
  answer log:         ${p.requireAnswerLog ? 'required' : 'used when present'}
  implicit signals:   ${p.deriveImplicitSignals ? `derived; session ends after ${p.sessionIdleMinutes} min idle, rephrase at ${p.rephraseThreshold}` : 'as browsers send them'}
  created:            ${p.createdAt}
`
}

/** The implicit-signal settings of `project set`. */
function implicitSettings(values: Values): Partial<ProjectRecord> {
  const out: Partial<ProjectRecord> = {}
  const minutes = values['session-idle-minutes']
  if (minutes !== undefined) {
    if (!/^\d+$/.test(minutes) || Number(minutes) < 1 || Number(minutes) > 1440) {
      throw new CliError(
        `--session-idle-minutes must be a whole number from 1 to 1440, not "${minutes}"`,
      )
    }
    out.sessionIdleMinutes = Number(minutes)
  }
  const threshold = values['rephrase-threshold']
  if (threshold !== undefined) {
    const x = Number(threshold)
    if (!/^\d+(\.\d+)?$/.test(threshold) || x > 2) {
      throw new CliError(`--rephrase-threshold must be a number from 0 to 2, not "${threshold}"`)
    }
    out.rephraseThreshold = x
  }
  if (values['derive-implicit'] !== undefined)
    out.deriveImplicitSignals = bool('--derive-implicit', values['derive-implicit'])
  return out
}
