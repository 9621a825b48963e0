// @vitest-environment happy-dom
// The alert list's summary line counts alert-days in words that agree with the number.
import { render } from 'preact'
import { expect, it } from 'vitest'
import { AlertList } from './alert-list.tsx'
import type { StatsReport } from './api.ts'

const alert = (day: string) => ({
  day,
  rule: 'low_volume',
  message: '10 validated feedback events in the last 30 days, under 500',
  evidence: { validated: 10, threshold: 500 },
})

const summaryOf = (alerts: ReturnType<typeof alert>[]) => {
  const report = {
    alerts,
    currentAlerts: alerts.slice(-1),
    days: [{ day: alerts.at(-1)!.day }],
  } as unknown as StatsReport
  const root = document.createElement('div')
  render(<AlertList report={report} />, root)
  return root.querySelector('summary')?.textContent
}

it('says "1 alert-day" for one, and the count in the plural for more', () => {
  expect(summaryOf([alert('2026-12-06')])).toBe('1 alert-day in the range; when it began')
  expect(summaryOf([alert('2026-12-05'), alert('2026-12-06')])).toBe(
    '2 alert-days in the range; when each kind began',
  )
})
