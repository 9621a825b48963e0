// A one-line progress bar on stderr for long exports; silent when disabled or quick.

/** How often the bar is redrawn; also how long an export runs before the bar appears. */
const REDRAW_MS = 250
const BAR_WIDTH = 30

/** A progress bar: `tick()` per item, `done()` at the end. */
export interface Progress {
  tick(): void
  done(): void
}

/**
 * Creates a bar that draws `n / total`, a percentage and the rate. It first appears after
 * REDRAW_MS, so short runs print nothing; `done()` clears the line.
 *
 * @example const bar = createProgress(process.stderr, { total: 1_000_000, enabled: process.stderr.isTTY })
 */
export function createProgress(
  stream: NodeJS.WritableStream,
  {
    total,
    enabled,
    now = () => performance.now(),
  }: { total: number; enabled: boolean; now?: () => number },
): Progress {
  if (!enabled) return { tick() {}, done() {} }
  const started = now()
  let count = 0
  let nextDraw = started + REDRAW_MS
  let drawn = false
  const draw = (t: number) => {
    const share = total > 0 ? Math.min(count / total, 1) : 0
    const filled = Math.round(share * BAR_WIDTH)
    const rate = Math.round(count / Math.max((t - started) / 1000, 0.001))
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${count}/${total} events  ${rate}/s `,
    )
    drawn = true
  }
  return {
    tick() {
      count += 1
      if ((count & 1023) !== 0) return // reading the clock per event costs more than the event
      const t = now()
      if (t >= nextDraw) {
        draw(t)
        nextDraw = t + REDRAW_MS
      }
    },
    done() {
      if (drawn) {
        draw(now())
        stream.write('\n')
      }
    },
  }
}
