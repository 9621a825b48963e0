// `tightloop project`: create a project, rotate its keys, change its origins and settings.
import { type ProjectRecord, provisionProject, publicView, rotateKeys } from '@tightloop/collector'
import {
  CliError,
  type Command,
  DATABASE_HELP,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { printTable } from './format.ts'
import { PROJECT_OPTIONS, readSettings } from './project-flags.ts'

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
  --review-pending-threshold <n> items waiting for review that raise the review_pending
                                 webhook, once a day (default 25)
  --event-window-days <n>        an event's time must lie within n days before its receipt,
                                 else ingest refuses it (default 90)
  --retention-days <n|off>       delete raw events older than n days, hourly while the
                                 collector runs (default off: kept until erased)
  --require-answer-log <on|off>  only feedback about answers the backend logged trains
  --session-idle-minutes <n>     inactivity that ends a session: abandonment, rephrase window
                                 (default 30)
  --rephrase-threshold <x>       prompt similarity that counts as a rephrase (default 0.605)
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

const DAY_MS = 86_400_000
const DEFAULT_GRACE_MS = 7 * DAY_MS // pages cached for a week keep sending with the old key

/** The `project` command. */
export const projectCommand: Command = {
  name: 'project',
  summary: 'create a project, rotate keys, set origins and escalation reasons',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, PROJECT_OPTIONS, 'project')
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
  review:             ${p.reviewedOnly ? 'only reviewed corrections train' : 'reviewed corrections train as "reviewed"'}; unreliable below ${p.minReliability}; webhook at ${p.reviewPendingThreshold} waiting
  answer log:         ${p.requireAnswerLog ? 'required' : 'used when present'}
  implicit signals:   ${p.deriveImplicitSignals ? `derived; session ends after ${p.sessionIdleMinutes} min idle, rephrase at ${p.rephraseThreshold}` : 'as browsers send them'}
  created:            ${p.createdAt}
`
}
