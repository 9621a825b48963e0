// `tightloop gate`: decide whether a candidate model may replace the baseline, and record it.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { decideGate, type GateReport } from '@tightloop/collector'
import {
  CliError,
  type CliIo,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_NEGATIVE,
  EXIT_OK,
  parseFlags,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { printTable } from './format.ts'

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

Example:
  tightloop gate --candidate evals/new.json --baseline evals/prod.json --label ft-2026-11
`

const OPTIONS = {
  ...DATABASE_OPTIONS,
  candidate: { type: 'string' },
  baseline: { type: 'string' },
  label: { type: 'string' },
  'max-accuracy-drop': { type: 'string' },
  'max-hallucination-increase': { type: 'string' },
  'max-latency-ratio': { type: 'string' },
  'no-record': { type: 'boolean' },
  json: { type: 'boolean' },
} as const

const THRESHOLD_FLAGS = {
  'max-accuracy-drop': 'maxAccuracyDrop',
  'max-hallucination-increase': 'maxHallucinationIncrease',
  'max-latency-ratio': 'maxLatencyRatio',
} as const

/** The `gate` command. */
export const gateCommand: Command = {
  name: 'gate',
  summary: 'promote or block a candidate model (exit 0 promote, 1 block)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'gate')
    const [action, ...extra] = positionals
    if (extra.length > 0 || (action !== undefined && action !== 'history')) {
      throw new CliError(
        `unexpected argument "${extra[0] ?? action}"`,
        'See "tightloop gate --help".',
      )
    }
    if (action === 'history') return history(io, values.database, values.project, values.json)

    if (values.candidate === undefined || values.baseline === undefined) {
      throw new CliError('gate needs --candidate and --baseline', 'See "tightloop gate --help".')
    }
    const candidate = readMetrics(io, '--candidate', values.candidate)
    const baseline = readMetrics(io, '--baseline', values.baseline)
    const thresholds: Record<string, number> = {}
    for (const [flag, field] of Object.entries(THRESHOLD_FLAGS)) {
      const raw = values[flag as keyof typeof THRESHOLD_FLAGS]
      if (raw === undefined) continue
      const n = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new CliError(`--${flag} must be a number, not "${raw}"`)
      }
      thresholds[field] = n
    }
    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      const decision = await decideGate(
        store,
        project.id,
        { candidate, baseline, thresholds, ...(values.label && { label: values.label }) },
        Date.now(),
        { record: !values['no-record'] },
      )
      if (values.json) io.stdout.write(`${JSON.stringify(decision, null, 2)}\n`)
      else {
        io.stdout.write(describe(decision.promote, decision.report))
        io.stdout.write(
          values['no-record']
            ? 'not recorded (--no-record)\n'
            : `recorded as decision #${decision.id} of project ${project.name}\n`,
        )
      }
      return decision.promote ? EXIT_OK : EXIT_NEGATIVE
    })
  },
}

function readMetrics(io: CliIo, flag: string, value: string): unknown {
  const inline = value.trimStart().startsWith('{')
  let text = value
  if (!inline) {
    try {
      text = readFileSync(resolve(io.cwd, value), 'utf8')
    } catch (err) {
      throw new CliError(`${flag}: cannot read ${value}: ${(err as Error).message}`)
    }
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError(
      `${flag}: ${inline ? 'the value' : value} is not valid JSON`,
      'Metrics look like {"accuracy": 0.91, "hallucinationRate": 0.02, "p50LatencyMs": 812}',
    )
  }
}

function describe(promote: boolean, report: GateReport): string {
  const head = `${promote ? 'PROMOTE' : 'BLOCK'}${report.label ? `  ${report.label}` : ''}`
  const checks = report.checks.map(
    (c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.message.replace(/^(pass|FAIL): /, '')}`,
  )
  return `${head}\n${checks.join('\n')}\n`
}

async function history(
  io: CliIo,
  database: string | undefined,
  wanted: string | undefined,
  json: boolean | undefined,
): Promise<number> {
  return withStore(io, database, async (store) => {
    const project = await selectProject(store, wanted)
    const decisions = await store.listGateDecisions(project.id)
    if (json) {
      io.stdout.write(`${JSON.stringify(decisions, null, 2)}\n`)
      return EXIT_OK
    }
    printTable(
      io.stdout,
      ['#', 'decided at', 'verdict', 'label', 'failed checks'],
      decisions.map((d) => {
        const report = d.report as Partial<GateReport>
        const failed = (report.checks ?? []).filter((c) => !c.passed).map((c) => c.name)
        return [
          String(d.id),
          d.decidedAt,
          d.promote ? 'promote' : 'block',
          report.label ?? '',
          failed.join(', ') || '-',
        ]
      }),
    )
    return EXIT_OK
  })
}
