// `tightloop export`: training data straight from the database, as NDJSON.
import { once } from 'node:events'
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import {
  createAdversaryScanner,
  type ExportReport,
  type ExportRules,
  exportEvents,
  loadExportRules,
  recordExportRun,
  runExport,
  type SkippedEvent,
  type Store,
} from '@tightloop/collector'
import { EXPORT_DROP_REASONS, EXPORT_FORMATS, type ExportFormat } from '@tightloop/pipeline'
import type { StoredEvent } from '@tightloop/schema'
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
import { parseInstantFlag } from './format.ts'
import { createProgress } from './progress.ts'

const HELP = `Usage: tightloop export [--format native|dpo|kto|openai|sft] [--out <file>] [options]

Writes the project's training rows as NDJSON, under today's rules (adversary list, version
changes, TTL). What the rules dropped is reported on stderr, per reason.

Options:
  --format <name>        native (default): {prompt, preferred, rejected, weight, source, event_hash, row_id}
                         dpo:    TRL DPOTrainer {prompt, chosen, rejected}, pairs only
                         kto:    TRL KTOTrainer {prompt, completion, label}
                         openai: OpenAI preference fine-tuning (input.messages,
                                 preferred_output, non_preferred_output), pairs only
                         sft:    {messages: [..., {role: "assistant", content: correction}]},
                                 corrections only
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

const OPTIONS = {
  ...DATABASE_OPTIONS,
  format: { type: 'string' },
  out: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  stats: { type: 'string' },
} as const

/** The `export` command. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'write training data (native, dpo, kto, openai) to a file or stdout',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS, 'export')
    rejectExtraArguments(positionals, 'export')
    const format = values.format ?? 'native'
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`)
    }
    if (values.progress && values['no-progress']) {
      throw new CliError('--progress and --no-progress contradict each other')
    }
    if (values.out === '' || values.stats === '')
      throw new CliError('--out and --stats need a file path')
    const since = parseInstantFlag('--since', values.since)
    const until = parseInstantFlag('--until', values.until)
    if (since !== undefined && until !== undefined && since > until) {
      throw new CliError('--since must not be after --until')
    }
    const range = { ...(since !== undefined && { since }), ...(until !== undefined && { until }) }
    const showProgress = values['no-progress'] ? false : Boolean(values.progress || io.stderr.isTTY)

    return withStore(io, values.database, async (store) => {
      const project = await selectProject(store, values.project)
      // As the server does before every export: flags the rules would raise now are recorded
      // first, so the quarantine policy keeps those users out without a person acting.
      await createAdversaryScanner(store).scan(project)
      const rules = await loadExportRules(store, project, Date.now())
      // The whole project's count: the bar is exact without a range, an upper bound with one.
      const total = await store.countEvents(project.id)
      const progress = createProgress(io.stderr, { total, enabled: showProgress })
      const run = runExport(counted(store, project.id, range, progress.tick, rules), rules, {
        format: format as ExportFormat,
        range,
      })
      const started = performance.now()
      const { complete } = await writeChunks(run.chunks, io, values.out)
      progress.done()
      // Lineage: which users this dataset holds, so an erasure can name it (see `users delete`).
      await recordExportRun(store, project.id, run, { complete, via: 'cli' })
      const report = run.report()
      if (values.stats) {
        writeFileSync(resolve(io.cwd, values.stats), `${JSON.stringify(report, null, 2)}\n`)
      }
      if (!complete) {
        io.stderr.write(
          `tightloop export: the reader closed stdout; stopped after writing ${report.records} records\n`,
        )
        return EXIT_OK
      }
      io.stderr.write(summary(report, (performance.now() - started) / 1000, values.out))
      return EXIT_OK
    })
  },
}

async function* counted(
  store: Store,
  projectId: string,
  range: { since?: number; until?: number },
  tick: () => void,
  rules: ExportRules,
): AsyncGenerator<StoredEvent | SkippedEvent> {
  for await (const event of exportEvents(store, projectId, range, rules)) {
    tick()
    yield event
  }
}

/**
 * Writes to stdout with backpressure, or to `<out>.partial` renamed to `<out>` once complete,
 * so an interrupted export never leaves a file that looks finished.
 */
async function writeChunks(
  chunks: AsyncIterable<string>,
  io: CliIo,
  out: string | undefined,
): Promise<{ complete: boolean }> {
  if (out === undefined) {
    const stdout = io.stdout
    let closed = false
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') closed = true // `| head`: the reader has what it wanted
    }
    stdout.on('error', onError)
    try {
      for await (const text of chunks) {
        if (closed) break
        if (!stdout.write(text)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              stdout.off('drain', done)
              stdout.off('close', done)
              stdout.off('error', done)
              resolve()
            }
            stdout.on('drain', done)
            stdout.on('close', done)
            stdout.on('error', done)
          })
        }
      }
    } finally {
      // Late EPIPE reports may still arrive after the loop: keep swallowing them.
      if (!closed) stdout.off('error', onError)
    }
    return { complete: !closed }
  }
  const target = resolve(io.cwd, out)
  const partial = join(dirname(target), `.${basename(target)}.partial`)
  const file = createWriteStream(partial)
  try {
    await once(file, 'open')
    for await (const text of chunks) {
      if (!file.write(text)) await once(file, 'drain')
    }
    file.end()
    await once(file, 'finish')
    renameSync(partial, target)
    return { complete: true }
  } catch (err) {
    file.destroy()
    rmSync(partial, { force: true })
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
      throw new CliError(`cannot write ${target}: ${e.message}`)
    }
    throw err
  }
}

function summary(report: ExportReport, seconds: number, out: string | undefined): string {
  const dropped = EXPORT_DROP_REASONS.filter((r) => report.dropped[r] > 0)
    .map((r) => `  ${r}: ${report.dropped[r]}`)
    .join('\n')
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events
  const lines = [
    `tightloop export: ${report.records} ${report.format} records from ${report.rows} rows of ${report.events} events in ${seconds.toFixed(1)} s (${rate} events/s)${out ? ` -> ${out}` : ''}`,
    report.rowsNotInFormat > 0
      ? `  ${report.rowsNotInFormat} rejected-only rows have no ${report.format} form (it needs pairs)`
      : '',
    dropped ? `dropped by the rules:\n${dropped}` : 'dropped by the rules: none',
  ]
  return `${lines.filter(Boolean).join('\n')}\n`
}
