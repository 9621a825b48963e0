// `tightloop export`: training data straight from the database, as NDJSON.
import { CliError, type Command, DATABASE_HELP } from './command.ts'

const HELP = `Usage: tightloop export [--format native|dpo|kto|openai] [--out <file>] [options]

Writes the project's training rows as NDJSON, under today's rules (adversary list, version
changes, TTL). What the rules dropped is reported on stderr, per reason.

Options:
  --format <name>        native (default): {prompt, preferred, rejected, weight, source, event_hash}
                         dpo:    TRL DPOTrainer {prompt, chosen, rejected}, pairs only
                         kto:    TRL KTOTrainer {prompt, completion, label}
                         openai: OpenAI preference fine-tuning (input.messages,
                                 preferred_output, non_preferred_output), pairs only
  --out <file>           write to a file instead of stdout (written whole, then renamed)
  --since <time>         only events received at or after (ISO-8601 or epoch ms)
  --until <time>         only events received before
  --progress             show the progress bar even when stderr is not a terminal
  --no-progress          never show it
  --stats <file>         also write the counts as JSON to this file
${DATABASE_HELP}

Example:
  tightloop export --format dpo --out train.jsonl
`

/** The `export` command. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'write training data (native, dpo, kto, openai) to a file or stdout',
  help: HELP,
  async run() {
    throw new CliError('export is not implemented yet')
  },
}
