// Small output and input helpers shared by the CLI commands.
import { CliError } from './command.ts'

/** Writes rows as aligned columns under a header; says so when there are none. */
export function printTable(
  out: NodeJS.WritableStream,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  if (rows.length === 0) {
    out.write('(none)\n')
    return
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  out.write(`${[line(header), ...rows.map(line)].join('\n')}\n`)
}

/** An ISO-8601 time or epoch milliseconds, as ms; `undefined` when the flag is absent. */
export function parseInstantFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms)) {
    throw new CliError(`${flag} must be an ISO-8601 time or epoch milliseconds, not "${value}"`)
  }
  return ms
}

/** A comma-separated list flag, trimmed, empty entries dropped. */
export function parseListFlag(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
