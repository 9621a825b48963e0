// Structured logs: one line per request and per notable event (start, stop, store ready,
// checkpoint stall, alert), as JSON for a log pipeline or as short text for a terminal.
// Only what is safe to keep: route patterns (never a URL, whose query may hold a key), status,
// duration, project and request ids, counts. Never a key, a prompt or an answer.

/** `json`: one JSON object a line; `pretty`: readable text; `off`: nothing. */
export type LogMode = 'json' | 'pretty' | 'off'

/** Log modes `TIGHTLOOP_LOG` accepts. */
export const LOG_MODES: readonly LogMode[] = ['json', 'pretty', 'off']

/** What a request line holds. */
export interface RequestLog {
  method: string
  route: string
  status: number
  durationMs: number
  requestId: string
  project?: string
}

/** Values a notable event may carry: numbers, flags and identifiers, never free text. */
export type EventFields = Record<string, string | number | boolean | null>

/** Where log lines go. */
export interface Logger {
  readonly mode: LogMode
  request(line: RequestLog): void
  event(name: string, fields?: EventFields): void
}

/**
 * Creates a logger writing whole lines to `write` (default: standard output).
 *
 * @example const log = createLogger('json'); log.event('start', { url, engine: 'sqlite' })
 */
export function createLogger(
  mode: LogMode,
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => number = Date.now,
): Logger {
  const time = () => new Date(now()).toISOString()
  if (mode === 'off') return { mode, request() {}, event() {} }
  if (mode === 'json') {
    return {
      mode,
      request(line) {
        write(`${JSON.stringify({ time: time(), level: 'info', msg: 'request', ...line })}\n`)
      },
      event(name, fields = {}) {
        const level = name.endsWith('stall') || name === 'alert' ? 'warn' : 'info'
        write(`${JSON.stringify({ time: time(), level, msg: name, ...fields })}\n`)
      },
    }
  }
  return {
    mode,
    request(l) {
      const project = l.project ? ` ${l.project}` : ''
      write(
        `${time()} ${l.method} ${l.route} ${l.status} ${l.durationMs.toFixed(1)}ms${project} ${l.requestId}\n`,
      )
    },
    event(name, fields = {}) {
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
      write(`${time()} ${name}${rest ? ` ${rest}` : ''}\n`)
    },
  }
}
