/**
 * A histogram: counts per bin, drawn by uPlot's bar paths on a canvas, the
 * bins' edges labelled under them, sized to its container and redrawn in
 * the page's colours when the theme changes (plot-theme.ts, as chart.tsx). The
 * figure's accessible name is a text summary; the canvas is decoration.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar, watchPlot } from "./plot-theme";

export function Histogram({ title, summary, edges, values, color = "--series-1", height = 180 }: {
  title: string;
  /** What the chart shows, in words (its accessible name). */
  summary: string;
  /** The bins' edges, one more than the bins: ["0.0", "0.1", …, "1.0"]. */
  edges: string[];
  values: number[];
  /** A CSS custom property holding the bars' colour. */
  color?: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    const xs = values.map((_, i) => i);
    // Bin i is drawn centred on i, so its edges are at i ± 0.5.
    const ticks = edges.map((_, i) => i - 0.5);
    const draw = (): void => {
      plot?.destroy();
      const axis = { stroke: cssVar(el, "--muted"), grid: { stroke: cssVar(el, "--grid"), width: 1 }, ticks: { stroke: cssVar(el, "--grid"), width: 1 } };
      const narrow = el.clientWidth < 420;
      const opts: uPlot.Options = {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, values.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          // On a narrow screen every other edge is labelled, so the labels do not run together.
          { ...axis, grid: { show: false }, splits: () => (narrow ? ticks.filter((_, i) => i % 2 === 0) : ticks), values: (_u, at) => at.map((x) => edges[Math.round(x + 0.5)] ?? "") },
          { ...axis, size: 48, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : "")) },
        ],
        series: [{}, { label: title, fill: cssVar(el, color), stroke: cssVar(el, color), width: 0, paths: uPlot.paths.bars!({ size: [0.8, 64] }), points: { show: false } }],
      };
      plot = new uPlot(opts, [xs, values] as uPlot.AlignedData, el);
      el.querySelectorAll("canvas").forEach((c) => c.setAttribute("aria-hidden", "true"));
    };
    // A new width may change which edges are labelled: draw again rather than resize.
    const unwatch = watchPlot(el, draw, (width) => {
      if (plot && Math.abs(plot.width - width) > 4) draw();
    });
    return () => {
      unwatch();
      plot?.destroy();
    };
  }, [edges, values, color, height, title]);

  return (
    <figure className="chart">
      <figcaption><span className="chart-title">{title}</span></figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={summary} data-bars={values.length} />
    </figure>
  );
}
