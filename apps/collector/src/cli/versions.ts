// `tightloop versions`: the product-version changes that cut off older feedback.

import {
  CliError,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { parseInstantFlag, printTable } from './format.ts'

const HELP = `Usage: tightloop versions <list|add|remove> [options]

Product-version changes: feedback produced before the most recent change is not exported
(stale labels teach the old answer), and events stamped with an older known version neither.

  tightloop versions list
  tightloop versions add <version> [--at <time>]   record a change (default: now)
  tightloop versions remove <version>

Options:
  --at <time>            when the version went live: ISO-8601 or epoch ms (default now)
  --json                 print JSON instead of a table
${DATABASE_HELP}
`

/** The `versions` command. */
export const versionsCommand: Command = {
  name: 'versions',
  summary: 'list, add or remove product-version changes',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { ...DATABASE_OPTIONS, at: { type: 'string' }, json: { type: 'boolean' } },
      'versions',
    )
    const [action, version, ...extra] = positionals
    rejectExtraArguments(extra, 'versions')
    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      switch (action) {
        case 'list': {
          const changes = await store.listVersionChanges(project.id)
          if (values.json) io.stdout.write(`${JSON.stringify(changes, null, 2)}\n`)
          else
            printTable(
              io.stdout,
              ['version', 'changed at'],
              changes.map((c) => [c.version, c.changedAt]),
            )
          return EXIT_OK
        }
        case 'add': {
          if (!version) throw new CliError('versions add needs a version name')
          const changedAt = new Date(parseInstantFlag('--at', values.at) ?? Date.now())
          await store.addVersionChange(project.id, { version, changedAt: changedAt.toISOString() })
          io.stdout.write(`recorded version ${version} from ${changedAt.toISOString()}\n`)
          return EXIT_OK
        }
        case 'remove': {
          if (!version) throw new CliError('versions remove needs a version name')
          if (!(await store.removeVersionChange(project.id, version))) {
            throw new CliError(`no version "${version}" in project ${project.name}`)
          }
          io.stdout.write(`removed version ${version}\n`)
          return EXIT_OK
        }
        default:
          throw new CliError(
            action ? `unknown action "${action}"` : 'versions needs an action: list, add or remove',
            'See "tightloop versions --help".',
          )
      }
    })
  },
}
