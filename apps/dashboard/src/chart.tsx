// One uPlot time-series chart; colours come from CSS custom properties, so a colour-scheme
// change redraws it with the other palette.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import { type ChartSpec, formatValue } from './charts.ts'

const HEIGHT = 220

/** Builds the uPlot options of a spec; `color` resolves a CSS custom property. */
export function chartOptions(
  spec: ChartSpec,
  width: number,
  color: (name: string) => string,
): uPlot.Options {
  const axis: uPlot.Axis = {
    stroke: color('--fg-muted'),
    grid: { stroke: color('--grid'), width: 1 },
    ticks: { stroke: color('--grid'), width: 1 },
  }
  const series: uPlot.Series[] = [
    {},
    ...spec.lines.map((line) => ({
      label: line.label,
      stroke: color(line.color),
      width: line.width ?? 1.5,
      ...(line.dash && { dash: line.dash }),
      value: (_u: uPlot, v: number | null) => formatValue(v, spec.format),
      points: { show: false },
    })),
  ]
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
    scales: { x: { time: true } },
    axes: [
      { ...axis },
      {
        ...axis,
        size: 64,
        values: (_u, splits) => splits.map((v) => formatValue(v, spec.format)),
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
    const plot = new uPlot(
      chartOptions(spec, Math.max(280, el.clientWidth), color),
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
      {drawable ? (
        <div class="plot" ref={target} />
      ) : (
        <p class="muted" data-no-canvas>
          This browser cannot draw on a canvas, so the chart is not shown; the numbers are in GET
          /v1/stats.
        </p>
      )}
    </figure>
  )
}
