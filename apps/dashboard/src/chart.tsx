// One uPlot time-series chart; colours come from CSS custom properties, so a colour-scheme
// change redraws it with the other palette.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import {
  COUNT_INCRS,
  countRange,
  dayLabels,
  dayRange,
  daySplits,
  rateRange,
  tickLabels,
} from './axes.ts'
import { type ChartSpec, formatValue } from './charts.ts'

const HEIGHT = 220
const PX_PER_DAY_TICK = 90 // room for "Nov 26, 2026" with a gap

/** The tick labels uPlot drew last, per axis: the page records them for tests and readers. */
export type TickListener = (axis: 'x' | 'y', labels: string[]) => void

/** Indices of values with no value either side: a line cannot show them, a point does. */
export function isolatedPoints(values: readonly (number | null)[]): number[] {
  const out: number[] = []
  values.forEach((v, i) => {
    if (v != null && values[i - 1] == null && values[i + 1] == null) out.push(i)
  })
  return out
}

/** Builds the uPlot options of a spec; `color` resolves a CSS custom property. */
export function chartOptions(
  spec: ChartSpec,
  width: number,
  color: (name: string) => string,
  onTicks: TickListener = () => {},
): uPlot.Options {
  const axis: uPlot.Axis = {
    stroke: color('--fg-muted'),
    grid: { stroke: color('--grid'), width: 1 },
    ticks: { stroke: color('--grid'), width: 1 },
  }
  const series: uPlot.Series[] = [
    {},
    ...spec.lines.map((line) => {
      const isolated = isolatedPoints(line.values)
      return {
        label: line.label,
        stroke: color(line.color),
        width: line.width ?? 1.5,
        ...(line.dash && { dash: line.dash }),
        value: (_u: uPlot, v: number | null) => formatValue(v, spec.format),
        points: isolated.length
          ? { show: true, size: 7, fill: color(line.color), filter: () => isolated }
          : { show: false },
      }
    }),
  ]
  series[0] = { value: (_u, v) => (v == null ? '–' : dayLabels([v])[0]!) }
  const bands: uPlot.Band[] = []
  if (spec.band) {
    const upper = series.length
    series.push(
      {
        label: `${spec.band.label} (upper)`,
        stroke: color('--band-edge'),
        width: 1,
        dash: [4, 4],
        value: (_u, v) => formatValue(v, spec.format),
        points: { show: false },
      },
      {
        label: `${spec.band.label} (lower)`,
        stroke: color('--band-edge'),
        width: 1,
        dash: [4, 4],
        value: (_u, v) => formatValue(v, spec.format),
        points: { show: false },
      },
    )
    bands.push({ series: [upper, upper + 1], fill: color('--band') })
  }
  return {
    width,
    height: HEIGHT,
    series,
    bands,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => dayRange(spec.x) },
      ...(spec.format === 'count' && {
        y: { range: (_u: uPlot, _min: number, max: number) => countRange(max) },
      }),
      ...(spec.format === 'percent' && {
        y: { range: (_u: uPlot, _min: number, max: number) => rateRange(max) },
      }),
      ...(spec.id === 'csat' && { y: { range: [1, 5] as uPlot.Range.MinMax } }),
    },
    axes: [
      {
        ...axis,
        splits: (u, _i, min, max) => daySplits(min, max, Math.floor(u.width / PX_PER_DAY_TICK)),
        values: (_u, splits) => {
          const labels = dayLabels(splits)
          onTicks('x', labels)
          return labels
        },
      },
      {
        ...axis,
        size: 64,
        ...(spec.format === 'count' && { incrs: COUNT_INCRS }),
        values: (_u, splits, _axis, _space, step) => {
          const labels = tickLabels(splits, step, spec.format)
          onTicks('y', labels)
          return labels
        },
      },
    ],
  }
}

/** The data array of a spec, in uPlot's column layout. */
export function chartData(spec: ChartSpec): uPlot.AlignedData {
  const columns: (number | null)[][] = spec.lines.map((l) => l.values)
  if (spec.band) columns.push(spec.band.upper, spec.band.lower)
  return [spec.x, ...columns] as uPlot.AlignedData
}

/** Whether this browser can draw on a canvas (locked-down browsers and DOM emulators cannot). */
function canvasAvailable(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null
  } catch {
    return false
  }
}

/** A chart with its title and note. `scheme` is read only to redraw on a scheme change. */
export function Chart({ spec, scheme }: { spec: ChartSpec; scheme: string }) {
  const target = useRef<HTMLDivElement>(null)
  const drawable = canvasAvailable()
  useEffect(() => {
    const el = target.current
    if (!el || !drawable) return
    const style = getComputedStyle(el)
    const color = (name: string) => style.getPropertyValue(name).trim() || 'gray'
    const figure = el.closest('figure')
    const record: TickListener = (axis, labels) => {
      figure?.setAttribute(`data-${axis}-ticks`, labels.join('|'))
    }
    const plot = new uPlot(
      chartOptions(spec, Math.max(280, el.clientWidth), color, record),
      chartData(spec),
      el,
    )
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT })
    })
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [spec, scheme, drawable])
  return (
    <figure class="chart" data-chart={spec.id}>
      <figcaption>
        <strong>{spec.title}</strong> <span class="muted">{spec.note}</span>
      </figcaption>
      {spec.shortage && (
        <p class="muted shortage" data-shortage>
          {spec.shortage}
        </p>
      )}
      {!drawable ? (
        <p class="muted" data-no-canvas>
          This browser cannot draw on a canvas, so the chart is not shown; the numbers are in GET
          /v1/stats.
        </p>
      ) : spec.blank ? null : (
        <div class="plot" ref={target} />
      )}
    </figure>
  )
}
