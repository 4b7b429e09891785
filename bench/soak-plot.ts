/**
 * The soak's figure: RSS and latency (p50, p99) against time, drawn by uPlot
 * (the dashboard's chart library, already a dependency) in Debian's
 * Chromium through playwright-core — no browser download, no network — and
 * saved as a PNG. Chromium missing is not fatal: the soak says so and keeps
 * its CSV and JSON.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import type { SoakSample } from "./soak-stats.js";

const CHROMIUM = process.env.LIAISON_CHROMIUM ?? "/usr/bin/chromium";
// As test/browser/harness.ts: this machine's closed network refuses Chromium's calls home.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"];

const require = createRequire(import.meta.url);
const asset = (name: string) => readFileSync(require.resolve(`uplot/dist/${name}`), "utf8");

function page(samples: SoakSample[], title: string): string {
  const minutes = samples.map((s) => s.t_s / 60);
  const data = {
    rss: [minutes, samples.map((s) => s.rss_mb)],
    latency: [minutes, samples.map((s) => s.p50_ms), samples.map((s) => s.p99_ms)],
  };
  return `<!doctype html><html><head><meta charset="utf-8"><style>${asset("uPlot.min.css")}
body { font: 14px sans-serif; margin: 16px; background: #fff; } h1 { font-size: 16px; margin: 0 0 8px; }</style></head>
<body><h1>${title.replace(/[<&]/g, "")}</h1><div id="rss"></div><div id="latency"></div>
<script>${asset("uPlot.iife.min.js")}</script>
<script>
const data = ${JSON.stringify(data)};
const axes = (label) => [{ label: "minutes" }, { label }];
new uPlot({ title: "Gateway RSS (MB)", width: 900, height: 300, legend: { live: false }, scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(max * 1.2, 1)] } }, axes: axes("MB"),
  series: [{}, { label: "RSS", stroke: "#1f77b4", width: 2, points: { show: true } }] }, data.rss, document.getElementById("rss"));
new uPlot({ title: "Latency per sample (ms)", width: 900, height: 300, legend: { live: false }, scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(max * 1.2, 1)] } }, axes: axes("ms"),
  series: [{}, { label: "p50", stroke: "#2ca02c", width: 2, points: { show: true } }, { label: "p99", stroke: "#d62728", width: 2, points: { show: true } }] }, data.latency, document.getElementById("latency"));
</script></body></html>`;
}

/** Writes the PNG; resolves with an explanation instead when Chromium is not there or fails. */
export async function plotSoak(samples: SoakSample[], title: string, pngPath: string): Promise<string | null> {
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    const tab = await browser.newPage({ viewport: { width: 940, height: 720 } });
    await tab.setContent(page(samples, title), { waitUntil: "load" });
    await tab.screenshot({ path: pngPath, fullPage: true });
    return null;
  } catch (err) {
    return `no PNG (${CHROMIUM}: ${(err as Error).message.split("\n")[0]})`;
  } finally {
    await browser?.close();
  }
}
