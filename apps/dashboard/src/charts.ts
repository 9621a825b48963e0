// What each chart shows, computed from a stats report: pure, so it is tested without a canvas.
import type { StatsReport } from './api.ts'

/** One line of a chart. */
export interface ChartLine {
  label: string
  values: (number | null)[]
  /** A CSS custom property holding the colour. */
  color: string
  width?: number
  dash?: number[]
}

/** A time-series chart: days on x, lines, and optionally the band the alert rule uses. */
export interface ChartSpec {
  id: string
  title: string
  note: string
  format: 'count' | 'percent' | 'decimal'
  /** Day starts, in seconds (uPlot's time unit). */
  x: number[]
  lines: ChartLine[]
  band?: { label: string; upper: (number | null)[]; lower: (number | null)[] }
}

type Metric = keyof StatsReport['bands']

const FEEDBACK_SIGNALS = [
  'thumbs_up',
  'thumbs_down',
  'explicit_correction',
  'csat',
  'agent_escalation',
  'session_abandon',
  'rephrase',
] as const

/**
 * Every chart of the dashboard for one report.
 *
 * @example chartSpecs(report).map((spec) => spec.title)
 */
export function chartSpecs(report: StatsReport): ChartSpec[] {
  const days = report.days
  const x = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000)
  const sigmas = report.alertOptions.sigmas
  const banded = (
    metric: Metric,
    title: string,
    note: string,
    format: ChartSpec['format'],
  ): ChartSpec => {
    const points = report.bands[metric]
    return {
      id: metric,
      title,
      note,
      format,
      x,
      lines: [
        { label: 'daily', values: points.map((p) => p.value), color: '--series-1', width: 1 },
        {
          label: `${report.alertOptions.currentDays}-day mean`,
          values: points.map((p) => p.current),
          color: '--series-2',
          width: 2,
        },
      ],
      band: {
        label: `baseline ±${sigmas}σ`,
        upper: points.map((p) => p.upper),
        lower: points.map((p) => p.lower),
      },
    }
  }
  const [low, high] = report.totals.correctionRateBand
  return [
    {
      id: 'shown',
      title: 'Answers shown',
      note: 'response_shown events per day: the denominator of every rate',
      format: 'count',
      x,
      lines: [{ label: 'answers shown', values: days.map((d) => d.shown), color: '--series-1' }],
    },
    {
      id: 'volume',
      title: 'Feedback per signal',
      note: 'events per day',
      format: 'count',
      x,
      lines: FEEDBACK_SIGNALS.map((signal, i) => ({
        label: signal,
        values: days.map((d) => d.volume[signal]),
        color: `--series-${i + 1}`,
      })),
    },
    {
      id: 'rates',
      title: 'Thumbs-down and correction rate',
      note: `per answer shown; the band is the ${low * 100}–${high * 100} % edit ratio of a healthy deployment`,
      format: 'percent',
      x,
      lines: [
        { label: 'thumbs-down', values: days.map((d) => d.rates.thumbsDown), color: '--series-2' },
        { label: 'corrections', values: days.map((d) => d.rates.correction), color: '--series-3' },
      ],
      band: {
        label: `reference ${low * 100}–${high * 100} %`,
        upper: days.map(() => high),
        lower: days.map(() => low),
      },
    },
    banded(
      'thumbsUpRate',
      'Thumbs-up rate',
      'per answer shown; engagement, not quality',
      'percent',
    ),
    banded('csat', 'CSAT mean', '1–5; falling while thumbs-up holds is reward hacking', 'decimal'),
    banded(
      'taskCompletion',
      'Task completion',
      'answers not escalated or abandoned, per answer shown',
      'percent',
    ),
    banded('meanLength', 'Answer length', 'mean characters per answer shown', 'count'),
    banded(
      'meanTypeTokenRatio',
      'Lexical diversity',
      'mean distinct words / words per answer',
      'decimal',
    ),
    banded(
      'meanSpecificity',
      'Specificity',
      'share of words with numbers, names or domain terms',
      'decimal',
    ),
  ]
}

/**
 * Formats a value for axes and legends.
 *
 * @example formatValue(0.0213, 'percent') // '2.13 %'
 */
export function formatValue(value: number | null | undefined, format: ChartSpec['format']): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  if (format === 'percent') return `${Number((value * 100).toPrecision(3))} %`
  if (format === 'count') return Math.round(value).toLocaleString('en')
  return Number(value.toPrecision(3)).toString()
}
