// `tightloop adversaries`: the users whose feedback is kept out of training data.
import {
  type AdversaryRecord,
  dismissAdversary,
  type Store,
  scanAdversaries,
  setAdversary,
} from '@tightloop/collector'
import {
  CliError,
  type CliIo,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { parseInstantFlag, parseListFlag, printTable } from './format.ts'

const HELP = `Usage: tightloop adversaries <list|add|remove|scan|review|dismiss> [options]

Every export scans first (and the server scans every 5 minutes). Confirmed adversaries are
always excluded from exports. Flagged ones are excluded too under the default policy,
quarantine, until a person dismisses the flag; with "tightloop project set
--adversary-policy include-until-confirmed" they stay in until confirmed.

  tightloop adversaries list [--status flagged|confirmed]
  tightloop adversaries add <userId> [--reason <text>] [--flagged]   confirmed unless --flagged
  tightloop adversaries remove <userId>
  tightloop adversaries scan [--since <time>] [--until <time>] [--allowed-hosts a,b]
      run the detection rules (bursts, repeated or coordinated corrections, injected
      instructions or links, thumbs-down only) over stored events; record new flags
  tightloop adversaries dismiss <userId> --reason <text>
      the user's events train again; the next scan does not flag them again for the same
      evidence, only for new evidence
  tightloop adversaries review
      flagged users with the evidence, waiting for a decision
  tightloop adversaries review --confirm <userId,...> | --confirm-all | --dismiss <userId,...>
      confirm flags (excluded from now on) or dismiss them (kept as dismissed: a later scan
      flags the user again only on new evidence)

Options:
  --json                 print JSON instead of a table
${DATABASE_HELP}
`

const OPTIONS = {
  ...DATABASE_OPTIONS,
  status: { type: 'string' },
  reason: { type: 'string' },
  flagged: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  confirm: { type: 'string' },
  'confirm-all': { type: 'boolean' },
  dismiss: { type: 'string' },
  json: { type: 'boolean' },
} as const

const REASON_COLUMN = 100

/** The `adversaries` command. */
export const adversariesCommand: Command = {
  name: 'adversaries',
  summary: 'list, add, remove, scan for and review adversarial users',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'adversaries')
    const [action, userId, ...extra] = positionals
    rejectExtraArguments(extra, 'adversaries')
    const needsUser = action === 'add' || action === 'remove' || action === 'dismiss'
    if (needsUser && !userId) throw new CliError(`adversaries ${action} needs a user id`)
    if (!needsUser && userId) throw new CliError(`unexpected argument "${userId}"`)
    if (
      values.status !== undefined &&
      values.status !== 'flagged' &&
      values.status !== 'confirmed' &&
      values.status !== 'dismissed'
    ) {
      throw new CliError(`--status must be flagged, confirmed or dismissed, not "${values.status}"`)
    }
    const since = parseInstantFlag('--since', values.since)
    const until = parseInstantFlag('--until', values.until)
    const out = (text: string) => io.stdout.write(text)

    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      switch (action) {
        case 'list': {
          const all = await store.listAdversaries(project.id)
          show(
            io,
            all.filter((a) => !values.status || a.status === values.status),
            values.json,
          )
          return EXIT_OK
        }
        case 'add': {
          const entry = await setAdversary(store, project.id, {
            userId,
            status: values.flagged ? 'flagged' : 'confirmed',
            ...(values.reason !== undefined && { reason: values.reason }),
          })
          out(`${entry.status} ${entry.userId}: ${entry.reason}\n`)
          return EXIT_OK
        }
        case 'remove':
          if (!(await store.removeAdversary(project.id, userId!))) {
            throw new CliError(`"${userId}" is not on the adversary list of ${project.name}`)
          }
          out(`removed ${userId}\n`)
          return EXIT_OK
        case 'scan': {
          const scan = await scanAdversaries(store, project.id, {
            range: { ...(since !== undefined && { since }), ...(until !== undefined && { until }) },
            ...(values['allowed-hosts'] !== undefined && {
              detector: { allowedHosts: parseListFlag(values['allowed-hosts']) },
            }),
          })
          if (values.json) {
            out(`${JSON.stringify(scan, null, 2)}\n`)
            return EXIT_OK
          }
          out(
            `read ${scan.events} events: ${scan.flags.length} flags on ${scan.recorded.length + scan.alreadyListed.length} users\n`,
          )
          for (const flag of scan.flags) out(`  ${flag.userId}  ${flag.rule}: ${flag.message}\n`)
          out(`newly flagged: ${scan.recorded.join(', ') || 'none'}\n`)
          out(
            project.autoBanAdversaries || project.adversaryPolicy === 'quarantine'
              ? 'quarantine: flagged users are out of exports until dismissed ("tightloop adversaries review")\n'
              : 'include-until-confirmed: flagged users stay in exports until confirmed ("tightloop adversaries review")\n',
          )
          return EXIT_OK
        }
        case 'review':
          return review(io, store, project.id, values)
        case 'dismiss': {
          if (values.reason === undefined) throw new CliError('adversaries dismiss needs --reason')
          const entry = await dismissAdversary(store, project.id, userId!, {
            reason: values.reason,
          })
          out(`dismissed ${entry.userId}: ${entry.reason}\n`)
          return EXIT_OK
        }
        default:
          throw new CliError(
            action
              ? `unknown action "${action}"`
              : 'adversaries needs an action: list, add, remove, scan, review or dismiss',
            'See "tightloop adversaries --help".',
          )
      }
    })
  },
}

async function review(
  io: CliIo,
  store: Store,
  projectId: string,
  values: { confirm?: string; 'confirm-all'?: boolean; dismiss?: string; json?: boolean },
): Promise<number> {
  const flagged = (await store.listAdversaries(projectId)).filter((a) => a.status === 'flagged')
  const chosen = [values.confirm, values['confirm-all'], values.dismiss].filter(
    (v) => v !== undefined,
  )
  if (chosen.length > 1) throw new CliError('use one of --confirm, --confirm-all and --dismiss')
  if (chosen.length === 0) {
    show(io, flagged, values.json)
    if (!values.json && flagged.length > 0) {
      io.stdout.write(
        'Confirm with --confirm <userId,...> (or --confirm-all); dismiss with --dismiss <userId,...>.\n',
      )
    }
    return EXIT_OK
  }
  const names = values['confirm-all']
    ? flagged.map((a) => a.userId)
    : parseListFlag(values.confirm ?? values.dismiss ?? '')
  if (names.length === 0) throw new CliError('name at least one flagged user')
  // Check every name before changing anything.
  const unknown = names.filter((n) => !flagged.some((a) => a.userId === n))
  if (unknown.length > 0) {
    throw new CliError(`not flagged: ${unknown.join(', ')}`, 'See "tightloop adversaries review".')
  }
  for (const userId of names) {
    if (values.dismiss !== undefined) {
      await dismissAdversary(store, projectId, userId, { reason: 'dismissed in review' })
    } else await setAdversary(store, projectId, { userId, status: 'confirmed' })
  }
  io.stdout.write(
    `${values.dismiss !== undefined ? 'dismissed' : 'confirmed'}: ${names.join(', ')}\n`,
  )
  return EXIT_OK
}

function show(io: CliIo, entries: AdversaryRecord[], json: boolean | undefined) {
  if (json) {
    io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
    return
  }
  printTable(
    io.stdout,
    ['user', 'status', 'since', 'reason'],
    entries.map((a) => [
      a.userId,
      a.status,
      a.createdAt.slice(0, 10),
      a.reason.length > REASON_COLUMN ? `${a.reason.slice(0, REASON_COLUMN - 1)}…` : a.reason,
    ]),
  )
}
