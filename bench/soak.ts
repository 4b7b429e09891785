/**
 * `npm run soak`: the gateway under steady load for a long time, to see
 * whether it holds its memory and its latency. A fake OpenAI upstream and
 * the gateway (`bin/liaison.js serve`, as `npx liaison serve` runs it, with
 * request logging on in SQLite) run as processes of their own; autocannon
 * sends a fixed request rate, one request in four a stream. Every sample
 * interval the gateway's RSS and CPU are read from /proc and the interval's
 * p50 and p99 computed from autocannon's per-response timings (float ms).
 *
 * Writes <out>.csv, <out>.json (samples and verdict) and <out>.png (RSS and
 * latency against time; see soak-plot.ts), prints one line per sample, and
 * ends with the verdict: flat when the median of the last third of the
 * samples is within --tolerance (10 %) of the first third's, for RSS and
 * for p99, with no failed request (soak-stats.ts). Exits 1 otherwise.
 *
 *   npm run soak                                   # 30 minutes, a sample a minute
 *   npm run soak -- --minutes 3                    # a short run: a sample every 15 s
 *   npm run soak -- --minutes 1 --sample-s 5 --rate 300 --connections 16 --out /tmp/soak
 *
 * Linux only (reads /proc). The load generator, the fake and the gateway
 * share the machine's cores: the figures are this machine's, not a
 * throughput limit.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startProcess, stopProcess, writeGatewayConfig, type Proc } from "./harness.js";
import { plotSoak } from "./soak-plot.js";
import { quantile, soakVerdict, toCsv, type SoakSample } from "./soak-stats.js";

const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    "sample-s": { type: "string" },
    rate: { type: "string", default: "200" },
    connections: { type: "string", default: "16" },
    tolerance: { type: "string", default: "0.1" },
    out: { type: "string" },
  },
});
const minutes = Number(flags.minutes);
if (!(minutes > 0)) throw new Error("--minutes must be a positive number");
// A sample a minute for real soaks; short runs get about twelve samples, at least 5 s apart.
const sampleS = Number(flags["sample-s"] ?? (minutes >= 10 ? 60 : Math.max(5, Math.round((minutes * 60) / 12))));
const rate = Number(flags.rate);
const connections = Number(flags.connections);
const tolerance = Number(flags.tolerance);
const ROOT = new URL("..", import.meta.url).pathname;
const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const out = resolve(flags.out ?? join(tmpdir(), `liaison-soak-${stamp}`));

/** Resident memory (MB) and CPU time (ms, all threads) of a process, from /proc. */
function proc(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { rssMb: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

const body = (stream: boolean) => JSON.stringify({
  model: "gpt-4o-mini",
  messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Say hello to the soak test." }],
  ...(stream ? { stream: true } : {}),
});

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-soak-"));
  let fake: Proc | undefined;
  let gateway: Proc | undefined;
  try {
    fake = await startProcess(["--import", "tsx", "test/fakes/openai/serve-openai-fake.ts", "--fast", "--stream-chunks", "20"], ROOT);
    const config = writeGatewayConfig(join(dir, "liaison.yaml"), join(dir, "liaison.db"), fake.url);
    // The flags bin/liaison.js's shebang gives `npx liaison serve`.
    gateway = await startProcess(["--max-semi-space-size=4", "--heap-growing-percent=30", join(ROOT, "bin/liaison.js"), "serve", "--config", config, "--port", "0"], dir);
    const pid = gateway.child.pid!;
    // The machine's load average, at start and end: on a shared machine it says how much of the latency was others' work.
    const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
    const loadAtStart = load();
    console.log(`soak: ${minutes} min at ${rate} req/s over ${connections} connections (1 in 4 a stream), a sample every ${sampleS} s; gateway pid ${pid}, RSS ${proc(pid).rssMb.toFixed(1)} MB at start; load average ${loadAtStart}`);

    const samples: SoakSample[] = [];
    let window: number[] = [];
    let errors = 0;
    let finish!: (r: autocannon.Result) => void;
    let fail!: (e: Error) => void;
    const finished = new Promise<autocannon.Result>((ok, ko) => { finish = ok; fail = ko; });
    const instance = autocannon({
      url: `${gateway.url}/v1/chat/completions`,
      connections,
      overallRate: rate,
      duration: Math.round(minutes * 60),
      timeout: 10,
      requests: [false, false, false, true].map((stream) => ({ method: "POST", headers: { "content-type": "application/json" }, body: body(stream) })),
    }, (err, res) => (err ? fail(err) : finish(res)));
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) window.push(responseTime);
      else errors++;
    });
    instance.on("reqError", () => errors++);
    const started = Date.now();
    let last = proc(pid);
    let lastAt = started;
    const timer = setInterval(() => {
      const now = Date.now();
      const p = proc(pid);
      const sample: SoakSample = {
        t_s: Math.round((now - started) / 1000),
        rss_mb: Math.round(p.rssMb * 10) / 10,
        p50_ms: Math.round(quantile(window, 0.5) * 100) / 100,
        p99_ms: Math.round(quantile(window, 0.99) * 100) / 100,
        requests: window.length + errors,
        errors,
        cpu_pct: Math.round(((p.cpuMs - last.cpuMs) / (now - lastAt)) * 1000) / 10,
      };
      samples.push(sample);
      console.log(`  ${String(sample.t_s).padStart(5)} s  RSS ${sample.rss_mb.toFixed(1)} MB  p50 ${sample.p50_ms} ms  p99 ${sample.p99_ms} ms  ` +
        `${Math.round(sample.requests / ((now - lastAt) / 1000))} req/s  CPU ${sample.cpu_pct} %${errors ? `  ${errors} FAILED` : ""}`);
      window = [];
      errors = 0;
      last = p;
      lastAt = now;
    }, sampleS * 1000);
    const result = await finished;
    clearInterval(timer);

    // The warm-up left out of the verdict: the first 30 s (compiling, the SQLite file's first pages), or 10 % of a long run.
    const verdict = soakVerdict(samples, tolerance, Math.max(sampleS, 30, minutes * 6));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.csv`, toCsv(samples));
    writeFileSync(`${out}.json`, JSON.stringify({ minutes, rate, connections, sample_s: sampleS, tolerance, load_average: { start: loadAtStart, end: load() }, total: result.requests.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, verdict, samples }, null, 2));
    const pct = (d: number) => `${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)} %`;
    const title = `liaison soak: ${minutes} min at ${rate} req/s — RSS ${pct(verdict.rss.drift)}, p99 ${pct(verdict.p99.drift)} (last third vs first, after the warm-up)`;
    const noPlot = await plotSoak(samples, title, `${out}.png`);
    console.log(`\n${result.requests.total} requests (${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts) in ${minutes} min; load average ${loadAtStart} at start, ${load()} at the end`);
    console.log(`RSS: ${verdict.rss.first.toFixed(1)} → ${verdict.rss.last.toFixed(1)} MB (${pct(verdict.rss.drift)}); ` +
      `p99: ${verdict.p99.first} → ${verdict.p99.last} ms (${pct(verdict.p99.drift)}); medians of the first and last third of ${verdict.samples} samples after the warm-up`);
    console.log(`verdict: ${verdict.flat ? "FLAT" : "NOT FLAT"} within ${(tolerance * 100).toFixed(0)} %${verdict.errors ? ` (${verdict.errors} failed requests)` : ""}`);
    console.log(`wrote ${out}.csv, ${out}.json${noPlot ? `; ${noPlot}` : `, ${out}.png`}`);
    return verdict.flat ? 0 : 1;
  } finally {
    if (gateway) await stopProcess(gateway);
    if (fake) await stopProcess(fake);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
