/**
 * A time-series chart drawn by uPlot (canvas), sized to its container and
 * redrawn in the page's colours when the theme changes. A canvas says
 * nothing to a screen reader, so the figure carries a text summary as its
 * accessible name and the legend is plain text beside it.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar, watchPlot } from "./plot-theme";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS custom property holding the colour, e.g. "--series-1". */
  color: string;
  format?: (v: number) => string;
}

/** A value with no value on either side is no line at all: such series show their points. */
function hasIsolated(values: (number | null)[]): boolean {
  return values.some((v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null);
}

export function TimeChart({ title, summary, t, series, format = (v) => String(v), height = 200 }: {
  title: string;
  /** What the chart shows, in words (its accessible name). */
  summary: string;
  /** Seconds since the epoch, one per point. */
  t: number[];
  series: ChartSeries[];
  format?: (v: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    const draw = (): void => {
      plot?.destroy();
      const axis = { stroke: cssVar(el, "--muted"), grid: { stroke: cssVar(el, "--grid"), width: 1 }, ticks: { stroke: cssVar(el, "--grid"), width: 1 } };
      const opts: uPlot.Options = {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 64, values: (_u, ticks) => ticks.map((v) => format(v)) }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: cssVar(el, s.color), width: 2, spanGaps: false, points: { show: t.length < 40 || hasIsolated(s.values), size: 6, fill: cssVar(el, s.color) } }))],
      };
      plot = new uPlot(opts, [t, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
      // The canvas is decoration: the figure's name says what it shows.
      el.querySelectorAll("canvas").forEach((c) => c.setAttribute("aria-hidden", "true"));
    };
    const unwatch = watchPlot(el, draw, (width) => {
      if (plot && Math.abs(plot.width - width) > 4) plot.setSize({ width: Math.max(200, width), height });
    });
    return () => {
      unwatch();
      plot?.destroy();
    };
  }, [t, series, format, height]);

  return (
    <figure className="chart">
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="legend" aria-hidden="true">
          {series.map((s) => (
            <span key={s.label} className="legend-item"><span className="swatch" style={{ background: `var(${s.color})` }} />{s.label}</span>
          ))}
        </span>
      </figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={summary} data-points={t.length} />
    </figure>
  );
}
