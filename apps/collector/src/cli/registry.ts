// Every command of the `tightloop` CLI, in the order `tightloop --help` lists them.
//
// To add a command: write `src/cli/<name>.ts` exporting a `Command` (see command.ts: a name,
// a one-line summary, the full `--help` text and `run(args, io)` resolving to an exit code),
// import it here and add it to COMMANDS. Use `parseFlags` for flags, `DATABASE_OPTIONS` and
// `openCliStore`/`selectProject` (database.ts) to reach the data, and throw `CliError` for
// anything the user got wrong: main.ts prints it without a stack trace and exits 2.
// `--help` is answered by main.ts from `help` before `run` is called.
import { adversariesCommand } from './adversaries.ts'
import type { Command } from './command.ts'
import { exportCommand } from './export.ts'
import { gateCommand } from './gate.ts'
import { projectCommand } from './project.ts'
import { reviewCommand } from './review.ts'
import { seedCommand } from './seed.ts'
import { statsCommand } from './stats.ts'
import { usersCommand } from './users.ts'
import { versionsCommand } from './versions.ts'
import { webhooksCommand } from './webhooks.ts'

/** The commands `tightloop` knows. */
export const COMMANDS: readonly Command[] = [
  exportCommand,
  gateCommand,
  statsCommand,
  adversariesCommand,
  reviewCommand,
  versionsCommand,
  projectCommand,
  usersCommand,
  webhooksCommand,
  seedCommand,
]
