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
  /** Set when the data is too thin for this chart: says what is missing, in words. */
  shortage?: string
  /** True when no line has a single value: the shortage sentence stands in for the plot. */
  blank?: boolean
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
  return chartSpecsOf(report).map((spec) => withShortage(spec, report))
}

/** Days of series before a banded metric has its band: the baseline, then the current window. */
export function bandDays(report: StatsReport): number {
  return report.alertOptions.baselineDays + report.alertOptions.currentDays
}

/** What a chart with too little data says instead of (or under) its plot. */
function withShortage(spec: ChartSpec, report: StatsReport): ChartSpec {
  const daysWith = spec.x.filter((_, i) => spec.lines.some((l) => l.values[i] != null)).length
  if (daysWith === 0) {
    return {
      ...spec,
      blank: true,
      shortage: `Too little data to draw: ${EMPTY[spec.id] ?? 'no values'} yet.`,
    }
  }
  const needs = bandDays(report)
  if (spec.band && spec.id !== 'rates' && spec.band.upper.every((v) => v === null)) {
    const days = report.days.length
    return {
      ...spec,
      shortage: `Too little data for the baseline band and the ${report.alertOptions.currentDays}-day mean: they need ${needs} days of history (${report.alertOptions.baselineDays}-day baseline, then ${report.alertOptions.currentDays} days), and there ${days === 1 ? 'is 1 day' : `are ${days} days`}.`,
    }
  }
  if (daysWith === 1) {
    return { ...spec, shortage: 'One day of data: each value is a point; lines need two days.' }
  }
  return spec
}

/** What a chart lacks when it has no value at all, by chart id. */
const EMPTY: Record<string, string> = {
  shown: 'no answer shown in these days',
  volume: 'no feedback in these days',
  rates: 'no answer shown, so no rate',
  versions: 'no answer shown, so no rate per product version',
  thumbsUpRate: 'no answer shown, so no rate',
  csat: 'no CSAT rating in these days',
  taskCompletion: 'no answer shown, so no rate',
  meanLength: 'no answer text measured',
  meanTypeTokenRatio: 'no answer text measured',
  meanSpecificity: 'no answer text measured',
}

function chartSpecsOf(report: StatsReport): ChartSpec[] {
  const days = report.days
  const x = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000)
  const sigmas = report.alertOptions.sigmas
  const thin = thinDays(report)
  /** A day's own value, or a gap on a thin day (its rates are noise: see thinDays). */
  const unlessThin = (values: (number | null)[]) => values.map((v, i) => (thin[i] ? null : v))
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
        {
          label: 'daily',
          values: unlessThin(points.map((p) => p.value)),
          color: '--series-1',
          width: 1,
        },
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
        {
          label: 'thumbs-down',
          values: unlessThin(days.map((d) => d.rates.thumbsDown)),
          color: '--series-2',
        },
        {
          label: 'corrections',
          values: unlessThin(days.map((d) => d.rates.correction)),
          color: '--series-3',
        },
      ],
      band: {
        label: `reference ${low * 100}–${high * 100} %`,
        upper: days.map(() => high),
        lower: days.map(() => low),
      },
    },
    byVersion(report, x, thin),
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

/** Thumbs-down and correction rate per product version, one line each (gaps where unused). */
function byVersion(report: StatsReport, x: number[], thin: readonly boolean[]): ChartSpec {
  const versions = [...new Set(report.versions.map((v) => v.productVersion ?? 'unknown'))]
  const index = new Map(report.days.map((d, i) => [d.day, i]))
  const lines: ChartLine[] = []
  versions.forEach((version, n) => {
    const down: (number | null)[] = report.days.map(() => null)
    const corrections: (number | null)[] = report.days.map(() => null)
    for (const v of report.versions) {
      const i = index.get(v.day)
      if ((v.productVersion ?? 'unknown') !== version || i === undefined || thin[i]) continue
      down[i] = v.rates.thumbsDown
      corrections[i] = v.rates.correction
    }
    const color = `--series-${(n % 7) + 1}`
    lines.push(
      { label: `${version} thumbs-down`, values: down, color },
      { label: `${version} corrections`, values: corrections, color, dash: [5, 4] },
    )
  })
  return {
    id: 'versions',
    title: 'Rates by product version',
    note: 'thumbs-down (solid) and corrections (dashed) per answer shown of each version',
    format: 'percent',
    x,
    lines,
  }
}

/** A day with fewer answers than this share of the median day is drawn as a gap. */
const THIN_DAY_SHARE = 0.1

/**
 * Days too thin to draw a rate for: fewer answers shown than a tenth of the median day. The
 * day just begun is one (minutes after midnight, yesterday's late feedback over a handful of
 * answers reads as a 400 % rate); the alert rules pool days by volume and need no such rule.
 *
 * @example thinDays(report).at(-1) // true just after midnight UTC
 */
export function thinDays(report: StatsReport): boolean[] {
  const shown = report.days
    .map((d) => d.shown)
    .filter((n) => n > 0)
    .sort((a, b) => a - b)
  const median = shown.length ? shown[Math.floor(shown.length / 2)]! : 0
  return report.days.map((d) => d.shown === 0 || d.shown < THIN_DAY_SHARE * median)
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
