// `tightloop stats`: the dashboard's alerts for cron jobs and CI, straight from the database.
import { computeStatsReport, createStatsCache, type StatsReport } from '@tightloop/collector'
import {
  CliError,
  type CliIo,
  type Command,
  DATABASE_HELP,
  DATABASE_OPTIONS,
  EXIT_NEGATIVE,
  EXIT_OK,
  parseFlags,
  rejectExtraArguments,
} from './command.ts'
import { selectProject, withStore } from './database.ts'
import { parseInstantFlag, printTable } from './format.ts'

const DAY_MS = 86_400_000
const DEFAULT_DAYS = 30

const HELP = `Usage: tightloop stats [options]

Computes the project's drift statistics as GET /v1/stats does (every stored event is read
once) and prints today's alerts, each with the rule that fired and its numbers, when each
kind of alert began, and the volumes behind them.

Rules: guardrail_drift (answer length, lexical diversity or specificity over 3 days more than
2σ from the 14 days before), reward_hacking (CSAT or task completion fell 2σ while the
thumbs-up rate held), low_volume (under 500 validated events in 30 days), adversarial_traffic
(over 10 % of a week's feedback from flagged users).

Options:
  --days <n>          days to report, ending today (default ${DEFAULT_DAYS})
  --since <time>      first day to report instead (ISO-8601 or epoch ms)
  --until <time>      end of the report (default: now)
  --fail-on-alert     exit 1 when today has an alert (for cron and CI)
  --json              print the whole report as JSON (the body of GET /v1/stats)
${DATABASE_HELP}

Exit codes: 0 no alert (or no --fail-on-alert), 1 an alert today with --fail-on-alert,
2 bad input or failure.

Example:
  tightloop stats --fail-on-alert || notify "tightloop: drift alert"
`

const OPTIONS = {
  ...DATABASE_OPTIONS,
  days: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'fail-on-alert': { type: 'boolean' },
  json: { type: 'boolean' },
} as const

/** The `stats` command. */
export const statsCommand: Command = {
  name: 'stats',
  summary: "print today's drift alerts (exit 1 on an alert with --fail-on-alert)",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'stats')
    rejectExtraArguments(positionals, 'stats')
    if (values.days !== undefined && values.since !== undefined) {
      throw new CliError('give --days or --since, not both')
    }
    const days = values.days === undefined ? DEFAULT_DAYS : Number(values.days)
    if (!Number.isInteger(days) || days < 1 || days > 3_650) {
      throw new CliError(`--days must be a whole number from 1 to 3650, not "${values.days}"`)
    }
    const now = Date.now()
    const until = parseInstantFlag('--until', values.until)
    const since =
      parseInstantFlag('--since', values.since) ??
      Math.floor((until ?? now) / DAY_MS) * DAY_MS - (days - 1) * DAY_MS
    if (until !== undefined && since > until)
      throw new CliError('--since must not be after --until')

    const report = await withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      const cache = createStatsCache(store)
      const report = await computeStatsReport({
        store,
        cache,
        project,
        now,
        range: { since, ...(until !== undefined && { until }) },
      })
      await cache.settle() // a snapshot written after a full read is kept for the next run
      return report
    })
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else printReport(io, report)
    return values['fail-on-alert'] && report.currentAlerts.length > 0 ? EXIT_NEGATIVE : EXIT_OK
  },
}

function printReport(io: CliIo, report: StatsReport): void {
  const out = io.stdout
  const first = report.days[0]?.day ?? '–'
  const last = report.days.at(-1)?.day ?? '–'
  const { shown, feedback, correctionRate, correctionRateBand } = report.totals
  const percent = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(2)} %`)
  out.write(`Project ${report.project.name} (${report.project.id}), ${first} to ${last}\n`)
  out.write(
    `  ${shown.toLocaleString('en')} answers shown, ${feedback.toLocaleString('en')} feedback events, corrections ${percent(correctionRate)} of answers (healthy: ${correctionRateBand[0] * 100}–${correctionRateBand[1] * 100} %)\n`,
  )
  if (report.totals.clientDropped > 0) {
    out.write(
      `  browsers reported dropping ${report.totals.clientDropped.toLocaleString('en')} events (queue full or refused)\n`,
    )
  }
  out.write(
    `  training candidates: ${report.candidates.rows.toLocaleString('en')} rows from ${report.candidates.events.toLocaleString('en')} events; ${report.candidates.rowsLast30Days.toLocaleString('en')} rows in the last 30 days\n\n`,
  )
  if (report.currentAlerts.length === 0) {
    out.write(`No alert on ${last}.\n`)
  } else {
    out.write(`${report.currentAlerts.length} alert(s) on ${last}:\n`)
    for (const alert of report.currentAlerts) {
      out.write(`  ${alert.rule}${alert.metric ? ` (${alert.metric})` : ''}: ${alert.message}\n`)
      const evidence = Object.entries(alert.evidence)
        .map(([name, value]) => `${name}=${Number(value.toPrecision(4))}`)
        .join(' ')
      out.write(`    ${evidence}\n`)
    }
  }
  const began = new Map<string, StatsReport['alerts'][number]>()
  for (const alert of report.alerts) {
    const key = `${alert.rule}${alert.metric ? ` (${alert.metric})` : ''}`
    if (!began.has(key)) began.set(key, alert)
  }
  if (began.size > 0) {
    out.write('\nAlerts in the range, by when each began:\n')
    printTable(
      out,
      ['rule', 'first day', 'days'],
      [...began].map(([key, alert]) => [
        key,
        alert.day,
        String(
          report.alerts.filter((a) => `${a.rule}${a.metric ? ` (${a.metric})` : ''}` === key)
            .length,
        ),
      ]),
    )
  }
}
