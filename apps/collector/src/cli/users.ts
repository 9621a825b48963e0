// `tightloop users`: what is stored about one person, and erasing it (GDPR art. 15 and 17).
import { once } from 'node:events'
import { applyRetention, type ErasureResult, eraseUser } from '@tightloop/collector'
import { MAX_ID_LENGTH } from '@tightloop/schema'
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
import { printTable } from './format.ts'

const HELP = `Usage: tightloop users <export|delete> <userId> [options]
       tightloop users <exports|retention> [options]

  tightloop users export <userId>    every raw event of the user, as NDJSON on stdout
  tightloop users delete <userId>    erase the user's events (securely on SQLite) and say
                                     which earlier exports held them: rebuild those datasets
  tightloop users exports            the recorded export runs (lineage), newest first
  tightloop users retention          delete events older than the project's retention now

Options:
  --json                 print JSON instead of text
${DATABASE_HELP}

Example:
  tightloop users delete u-4821
`

const userIdOf = (userId: string | undefined, action: string) => {
  if (!userId) throw new CliError(`users ${action} needs a user id`)
  if (userId.length > MAX_ID_LENGTH) {
    throw new CliError(`a user id has at most ${MAX_ID_LENGTH} characters`)
  }
  return userId
}

function describeErasure(userId: string, r: ErasureResult): string {
  const lines = [
    `erased ${userId}: ${r.events} events, ${r.adversaryEntries} adversary entries, ${r.answerLogEntries} answer-log entries, ${r.webhookDeliveries} webhook deliveries`,
    r.storageCleared
      ? '  the deleted text was overwritten in the database file and the WAL emptied'
      : '  rows are gone from every query; see README "Erasing a person" for the bytes on disk',
    r.exports.length === 0
      ? '  no earlier export held this user'
      : `  earlier exports that held this user (rebuild them and what was trained on them):\n${r.exports
          .map((e) => `    #${e.id} ${e.format} via ${e.via} at ${e.exportedAt}`)
          .join('\n')}`,
  ]
  return `${lines.join('\n')}\n`
}

/** The `users` command. */
export const usersCommand: Command = {
  name: 'users',
  summary: "export or erase one person's data; list export lineage; apply retention",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { ...DATABASE_OPTIONS, json: { type: 'boolean' } },
      'users',
    )
    const [action, userArg, ...extra] = positionals
    rejectExtraArguments(extra, 'users')
    if (action !== 'export' && action !== 'delete')
      rejectExtraArguments(userArg ? [userArg] : [], 'users')
    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      switch (action) {
        case 'export': {
          const userId = userIdOf(userArg, 'export')
          for await (const event of store.streamUserEvents(project.id, userId)) {
            if (!io.stdout.write(`${JSON.stringify(event)}\n`)) await once(io.stdout, 'drain')
          }
          return EXIT_OK
        }
        case 'delete': {
          const userId = userIdOf(userArg, 'delete')
          const result = await eraseUser(store, project.id, userId, Date.now())
          io.stdout.write(
            values.json ? `${JSON.stringify(result, null, 2)}\n` : describeErasure(userId, result),
          )
          return EXIT_OK
        }
        case 'exports': {
          const runs = await store.listExports(project.id)
          if (values.json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`)
          else
            printTable(
              io.stdout,
              ['id', 'exported at', 'format', 'via', 'events', 'records', 'users', 'complete'],
              runs.map((r) => [
                String(r.id),
                r.exportedAt,
                r.format,
                r.via,
                String(r.events),
                String(r.records),
                String(r.users),
                r.complete ? 'yes' : 'no',
              ]),
            )
          return EXIT_OK
        }
        case 'retention': {
          const outcome = await applyRetention(store, project, Date.now())
          if (values.json) io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`)
          else if ('off' in outcome)
            io.stdout.write(
              'retention is off for this project (tightloop project set --retention-days N)\n',
            )
          else
            io.stdout.write(`deleted ${outcome.events} events received before ${outcome.before}\n`)
          return EXIT_OK
        }
        default:
          throw new CliError(
            action
              ? `unknown action "${action}"`
              : 'users needs an action: export, delete, exports or retention',
            'See "tightloop users --help".',
          )
      }
    })
  },
}
