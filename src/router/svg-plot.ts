/**
 * A small SVG line chart for `router eval`: quality against the share of
 * strong calls, one polyline per series, axes with ticks, a legend and the
 * quality target as a dashed line. No library: a few dozen elements.
 */
export interface Series {
  name: string;
  /** [x, y] in data units. */
  points: [number, number][];
  color: string;
  dashed?: boolean;
  /** Draw markers instead of a line (single operating points). */
  markers?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  /** A horizontal reference line (the quality target). */
  hLine?: { y: number; label: string };
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** Round tick positions (steps of 1, 2, 2.5 or 5 × a power of ten) across a range, about `target` of them. */
export function ticks(lo: number, hi: number, target = 8): number[] {
  const raw = (hi - lo) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step + 0);
  return out;
}

const percent = (v: number) => `${Math.round(v * 1000) / 10}%`;

export function linePlot(series: readonly Series[], o: PlotOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 480;
  const m = { l: 70, r: 200, t: 40, b: 55 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const [x0, x1] = o.xRange;
  const [y0, y1] = o.yRange;
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => m.t + ph - ((Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="12" y="22" font-size="14">${esc(o.title)}</text>`,
  ];
  for (const x of ticks(x0, x1, 10)) {
    out.push(`<line x1="${f(X(x))}" y1="${m.t}" x2="${f(X(x))}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(X(x))}" y="${m.t + ph + 16}" text-anchor="middle">${percent(x)}</text>`);
  }
  for (const y of ticks(y0, y1)) {
    out.push(`<line x1="${m.l}" y1="${f(Y(y))}" x2="${m.l + pw}" y2="${f(Y(y))}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${f(Y(y) + 4)}" text-anchor="end">${percent(y)}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  if (o.hLine) {
    out.push(`<line x1="${m.l}" y1="${f(Y(o.hLine.y))}" x2="${m.l + pw}" y2="${f(Y(o.hLine.y))}" stroke="#888" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${m.l + pw - 4}" y="${f(Y(o.hLine.y) - 5)}" text-anchor="end" fill="#555">${esc(o.hLine.label)}</text>`);
  }
  series.forEach((s, i) => {
    if (s.markers) {
      for (const [x, y] of s.points) out.push(`<circle cx="${f(X(x))}" cy="${f(Y(y))}" r="5" fill="${s.color}"/>`);
    } else {
      const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${f(X(x))} ${f(Y(y))}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="5 4"` : ""}/>`);
    }
    const ly = m.t + 10 + i * 20;
    const lx = m.l + pw + 16;
    out.push(s.markers
      ? `<circle cx="${lx + 10}" cy="${ly}" r="5" fill="${s.color}"/>`
      : `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="5 4"` : ""}/>`);
    out.push(`<text x="${lx + 26}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
