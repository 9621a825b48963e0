// `tightloop review`: the review queue from a terminal or a script — corrections waiting for a
// person and flagged users; approve, reject or edit a correction, confirm or dismiss a flag.
import { decideReview, listReview, readReviewQuery } from '@tightloop/collector'
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
import { reviewInteractively } from './review-interactive.ts'

const HELP = `Usage: tightloop review [--list] [options]
       tightloop review --decide <itemId> --decision <d> --reviewer <name> [options]

  tightloop review [--kind corrections|users] [--status pending|decided] [--limit n]
      the queue: corrections with the bot's answer and the user's fix, or flagged users
      with their evidence, and how many are left
  tightloop review --interactive --reviewer <name> [--kind users]
      one pending item at a time: a letter and Enter decides (a approve, r reject,
      e edit, c confirm, d dismiss, s skip, q quit); answers may be piped in
  tightloop review --decide c:<eventId> --decision approve|reject|edit [--text <fix>]
  tightloop review --decide u:<userId> --decision confirm|dismiss
      record a decision (with --reviewer, and --note, --version to change an earlier one);
      approved and edited corrections train as "reviewed", rejected ones never

Options:
  --json                 print JSON instead of text
${DATABASE_HELP}

Example:
  tightloop review --decide c:01JF3Q --decision edit --text "Fees are 2 %." --reviewer Dana
`

const OPTIONS = {
  ...DATABASE_OPTIONS,
  list: { type: 'boolean' },
  interactive: { type: 'boolean', short: 'i' },
  kind: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  decide: { type: 'string' },
  decision: { type: 'string' },
  reviewer: { type: 'string' },
  text: { type: 'string' },
  note: { type: 'string' },
  version: { type: 'string' },
  json: { type: 'boolean' },
} as const

const short = (text: string | null, width = 48) =>
  !text ? '' : text.length > width ? `${text.slice(0, width - 1)}…` : text

/** The `review` command. */
export const reviewCommand: Command = {
  name: 'review',
  summary: 'the review queue: decide corrections and flagged users',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'review')
    rejectExtraArguments(positionals, 'review')
    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      if (values.interactive) {
        const kind = readReviewQuery({ kind: values.kind }).kind
        return reviewInteractively(store, project, io, { kind, reviewer: values.reviewer })
      }
      if (values.decide !== undefined) {
        if (values.version !== undefined && !/^\d+$/.test(values.version)) {
          throw new CliError(`--version must be a whole number, not "${values.version}"`)
        }
        const body = {
          decision: values.decision,
          reviewer: values.reviewer,
          ...(values.text !== undefined && { text: values.text }),
          ...(values.note !== undefined && { note: values.note }),
          ...(values.version !== undefined && { version: Number(values.version) }),
        }
        const { decision } = await decideReview(store, project.id, values.decide, body, Date.now())
        io.stdout.write(
          values.json
            ? `${JSON.stringify(decision, null, 2)}\n`
            : `${decision.itemId}: ${decision.decision} by ${decision.reviewer} (version ${decision.version})\n`,
        )
        return EXIT_OK
      }
      const query = readReviewQuery({
        kind: values.kind,
        status: values.status,
        limit: values.limit,
      })
      const listed = await listReview(store, project, query)
      if (values.json) {
        io.stdout.write(`${JSON.stringify(listed, null, 2)}\n`)
        return EXIT_OK
      }
      io.stdout.write(`${listed.total} ${query.status} ${query.kind}\n`)
      if (listed.kind === 'corrections') {
        printTable(
          io.stdout,
          ['item', 'user', 'version', 'answer', 'correction'],
          listed.items.map((i) => [
            i.itemId,
            i.userId,
            String(i.version),
            short('response' in i ? i.response : null),
            short('correction' in i ? i.correction : null),
          ]),
        )
      } else {
        printTable(
          io.stdout,
          ['item', 'status', 'version', 'reason'],
          listed.items.map((i) => [
            i.itemId,
            'status' in i ? i.status : '',
            String(i.version),
            short('reason' in i ? i.reason : null),
          ]),
        )
      }
      return EXIT_OK
    })
  },
}
