// What a CLI command is, how it reads its flags, and the error that ends it with a message.
import { type ParseArgsConfig, parseArgs } from 'node:util'

/** Where a command reads and writes; the real process by default, fakes in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  env: NodeJS.ProcessEnv
  /** Answers typed by a person (interactive commands); default the process's stdin. */
  stdin?: NodeJS.ReadableStream
  /** Where relative paths resolve from. */
  cwd: string
}

/** One top-level command of `tightloop`. */
export interface Command {
  /** The word after `tightloop`. */
  name: string
  /** One line for `tightloop --help`. */
  summary: string
  /** Full text for `tightloop <name> --help`: usage, subcommands, flags, an example. */
  help: string
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>
}

/** Exit codes: 0 done (or promote), 1 a negative verdict (gate blocks), 2 bad input or failure. */
export const EXIT_OK = 0
export const EXIT_NEGATIVE = 1
export const EXIT_ERROR = 2

/**
 * A failure the user can fix; printed as `tightloop: <message>` with no stack trace.
 *
 * @example throw new CliError('--out needs a file path')
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** Printed after the message, e.g. a pointer to `--help`. */
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Flag definitions as `util.parseArgs` takes them. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>

/** What {@link parseFlags} returns: each flag's value (absent when not given) and the words. */
export interface ParsedFlags<O extends FlagSpec> {
  values: {
    [K in keyof O]?: O[K] extends { multiple: true }
      ? O[K] extends { type: 'boolean' }
        ? boolean[]
        : string[]
      : O[K] extends { type: 'boolean' }
        ? boolean
        : string
  }
  positionals: string[]
}

/** Flags every command that touches the database accepts. */
export const DATABASE_OPTIONS = {
  database: { type: 'string' },
  project: { type: 'string' },
} as const satisfies FlagSpec

/** Help lines for {@link DATABASE_OPTIONS}. */
export const DATABASE_HELP = `  --database <path|url>  SQLite file or postgres:// URL (default: TIGHTLOOP_DATABASE, else ./data/tightloop.db)
  --project <id|name>    the project (default: the only one in the database)`

/**
 * `util.parseArgs` in strict mode, with its errors turned into a readable {@link CliError}
 * that points at the command's `--help`.
 *
 * @example const { values, positionals } = parseFlags(args, { out: { type: 'string' } }, 'export')
 */
export function parseFlags<O extends FlagSpec>(
  args: string[],
  options: O,
  command: string,
): ParsedFlags<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true }) as ParsedFlags<O>
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '')
    throw new CliError(message, `See "tightloop ${command} --help".`)
  }
}

/**
 * Throws a readable error for the first argument a command did not expect.
 *
 * @example rejectExtraArguments(positionals, 'export')
 */
export function rejectExtraArguments(extra: readonly string[], command: string): void {
  if (extra.length > 0) {
    throw new CliError(`unexpected argument "${extra[0]}"`, `See "tightloop ${command} --help".`)
  }
}

/**
 * A flag's whole number from 1 to `max`, or a readable error naming the flag.
 *
 * @example wholeNumber('--ttl-days', '45', 3650) // 45
 */
export function wholeNumber(flag: string, value: string, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new CliError(`${flag} must be a whole number from 1 to ${max}, not "${value}"`)
  }
  return n
}

/** True when the arguments ask for help (before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false
    if (arg === '--help' || arg === '-h') return true
  }
  return false
}
