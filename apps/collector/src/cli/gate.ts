// `tightloop gate`: decide whether a candidate model may replace the baseline, and record it.
import { CliError, type Command, DATABASE_HELP } from './command.ts'

const HELP = `Usage: tightloop gate --candidate <metrics> --baseline <metrics> [options]
       tightloop gate history [options]

Promotes the candidate only if accuracy >= baseline - 0.005, the hallucination rate did not
rise and p50 latency <= 1.10 x baseline. Prints every check, records the decision in the
project's gate history, and exits 0 to promote, 1 to block (2 on bad input).

<metrics> is a JSON file or inline JSON:
  {"accuracy": 0.91, "hallucinationRate": 0.02, "p50LatencyMs": 812}

Options:
  --candidate <file|json>          the new model's eval results on the frozen eval slice
  --baseline <file|json>           the model in production
  --label <text>                   what is being gated, e.g. a model id (kept in the history)
  --max-accuracy-drop <n>          default 0.005
  --max-hallucination-increase <n> default 0
  --max-latency-ratio <n>          default 1.10
  --no-record                      decide without writing to the history
  --json                           print the decision as JSON
${DATABASE_HELP}
`

/** The `gate` command. */
export const gateCommand: Command = {
  name: 'gate',
  summary: 'promote or block a candidate model (exit 0 promote, 1 block)',
  help: HELP,
  async run() {
    throw new CliError('gate is not implemented yet')
  },
}
