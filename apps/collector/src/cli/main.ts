// Entry of the `tightloop` CLI: finds the command, answers --help, turns errors into messages.
import { CollectorError } from '@tightloop/collector'
import { PipelineInputError } from '@tightloop/pipeline'
import { ConfigError } from '../config.ts'
import { CliError, type CliIo, EXIT_ERROR, EXIT_OK, wantsHelp } from './command.ts'
import { COMMANDS } from './registry.ts'

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return `tightloop: training data, gate and project administration, straight on the database.

Usage: tightloop <command> [options]

Commands:
${lines.join('\n')}

Run "tightloop <command> --help" for a command's options.
Exit codes: 0 done (gate: promote), 1 gate blocks, 2 bad input or failure.
`
}

/**
 * Runs the CLI with `argv` (without node and the script) and resolves to the exit code.
 *
 * @example process.exitCode = await main(process.argv.slice(2))
 */
export async function main(
  argv: string[],
  io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.env.INIT_CWD ?? process.cwd(),
  },
): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview())
    return name === undefined ? EXIT_ERROR : EXIT_OK
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.stderr.write(
      `tightloop: unknown command "${name}"\nCommands: ${COMMANDS.map((c) => c.name).join(', ')}. See "tightloop --help".\n`,
    )
    return EXIT_ERROR
  }
  if (wantsHelp(args)) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`)
    return EXIT_OK
  }
  try {
    return await command.run(args, io)
  } catch (err) {
    io.stderr.write(`tightloop ${name}: ${describeError(err)}\n`)
    return EXIT_ERROR
  }
}

// Errors the user can act on print their message; anything else is a bug or an outage and
// says so in one line, still without a stack trace (TIGHTLOOP_DEBUG=1 shows it).
function describeError(err: unknown): string {
  if (err instanceof CliError) return err.hint ? `${err.message}\n${err.hint}` : err.message
  if (
    err instanceof ConfigError ||
    err instanceof PipelineInputError ||
    err instanceof CollectorError
  )
    return err.message
  const e = err as NodeJS.ErrnoException
  if (process.env.TIGHTLOOP_DEBUG) return String(e?.stack ?? e)
  if (e?.code === 'ECONNREFUSED') return `cannot reach the database: ${e.message}`
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `permission denied: ${e.message}`
  return `failed: ${e?.message ?? String(err)}`
}
