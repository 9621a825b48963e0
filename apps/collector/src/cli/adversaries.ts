// `tightloop adversaries`: the users whose feedback is kept out of training data.
import { CliError, type Command, DATABASE_HELP } from './command.ts'

const HELP = `Usage: tightloop adversaries <list|add|remove|scan|review> [options]

Confirmed adversaries are always excluded from exports. Flagged ones (found by "scan") are
only evidence: they are excluded once confirmed, or at once if the project has --auto-ban.

  tightloop adversaries list [--status flagged|confirmed]
  tightloop adversaries add <userId> [--reason <text>] [--flagged]   confirmed unless --flagged
  tightloop adversaries remove <userId>
  tightloop adversaries scan [--since <time>] [--allowed-hosts a,b]  run the detection rules
                                                                      and record new flags
  tightloop adversaries review                                        flagged users with the
                                                                      evidence, to confirm or
                                                                      dismiss
  tightloop adversaries review --confirm <userId,…> | --confirm-all | --dismiss <userId,…>

Options:
  --json                 print JSON instead of a table
${DATABASE_HELP}
`

/** The `adversaries` command. */
export const adversariesCommand: Command = {
  name: 'adversaries',
  summary: 'list, add, remove, scan for and review adversarial users',
  help: HELP,
  async run() {
    throw new CliError('adversaries is not implemented yet')
  },
}
