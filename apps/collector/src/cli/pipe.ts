// A reader that stops early (`tightloop stats | head -1`) ends the command quietly, exit 0.

/**
 * Makes a closed output pipe end the process with exit 0 and nothing on stderr, as `head`
 * expects of any Unix command. Node reports the closed pipe as an `EPIPE` 'error' event on the
 * stream; unhandled, it kills the process with a stack trace. Any other stream error is left
 * to crash loudly, since it is not the reader's choice.
 *
 * @example endQuietlyOnClosedPipe(process.stdout, process.stderr)
 */
export function endQuietlyOnClosedPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err
      // Nothing more can be read from us: stop now rather than compute output no one takes.
      process.exit(0)
    })
  }
}
