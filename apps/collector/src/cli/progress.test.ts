// The export progress bar: silent when off or quick, redrawn on a clock when on.
import { describe, expect, it } from 'vitest'
import { createProgress } from './progress.ts'

function sink() {
  const out = {
    text: '',
    write(s: string) {
      out.text += s
      return true
    },
  }
  return out
}

describe('createProgress', () => {
  it('prints nothing when disabled', () => {
    const out = sink()
    const bar = createProgress(out as never, { total: 10_000, enabled: false })
    for (let i = 0; i < 10_000; i++) bar.tick()
    bar.done()
    expect(out.text).toBe('')
  })

  it('prints nothing for an export that ends before the first redraw', () => {
    const out = sink()
    let t = 0
    const bar = createProgress(out as never, { total: 5_000, enabled: true, now: () => t })
    for (let i = 0; i < 5_000; i++) bar.tick()
    t = 100
    bar.done()
    expect(out.text).toBe('')
  })

  it('redraws as time passes and ends on a full bar and a newline', () => {
    const out = sink()
    let t = 0
    const bar = createProgress(out as never, { total: 4_096, enabled: true, now: () => t })
    for (let i = 0; i < 4_096; i++) {
      t += 1 // 1 ms per event
      bar.tick()
    }
    bar.done()
    const frames = out.text.split('\r').filter(Boolean)
    expect(frames.length).toBeGreaterThanOrEqual(3)
    expect(frames[0]).toMatch(/ {2}25% {2}1024\/4096 events/)
    expect(frames.at(-1)).toMatch(/\[#{30}\] 100% {2}4096\/4096 events {2}\d+\/s \n$/)
  })
})
