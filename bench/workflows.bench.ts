/**
 * The gateway's own overhead per workflow step: a workflow of STEPS
 * sequential steps, run through the gateway (POST /v1/workflow/bench, the
 * run stored and every step logged in SQLite), against the same number of
 * direct calls to the same fake upstream made just before it. For each
 * pair: (run latency − sum of the direct calls' latencies) ÷ STEPS — what
 * a step costs on top of its upstream call: authentication and the run's
 * bookkeeping, templates, the engine's pipeline, the run's storage.
 * Printed as p50 and p99 over the runs (docs/workflows.md, "Overhead").
 *
 *   npm run build && node --import tsx bench/workflows.bench.ts
 *   BENCH_RUNS=500 BENCH_STEPS=5 node --import tsx bench/workflows.bench.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { startProcess, stopProcess, writeGatewayConfig } from "./harness.js";

const ROOT = new URL("..", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const STEPS = Number(process.env.BENCH_STEPS ?? 5);
const WARMUP = 50;

const agent = new Agent({ keepAliveTimeout: 30_000 });
const CHAT = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello to the benchmark." }] });

async function timed(url: string, body: string): Promise<number> {
  const t0 = performance.now();
  const res = await request(url, { method: "POST", headers: { "content-type": "application/json" }, body, dispatcher: agent });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${text.slice(0, 300)}`);
  if (url.includes("/workflow/") && !text.includes('"status":"succeeded"')) throw new Error(`run failed: ${text.slice(0, 500)}`);
  return performance.now() - t0;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-wf-bench-"));
  mkdirSync(join(dir, "workflows"));
  // Each step reads the one before, as real chains do: the templates are part of what is measured.
  const steps = Array.from({ length: STEPS }, (_, i) => `  - { id: s${i}, model: gpt-4o-mini, prompt: "${i === 0 ? "{{ inputs.text }}" : `{{ steps.s${i - 1}.output }} (step ${i})`}" }`);
  writeFileSync(join(dir, "workflows", "bench.yaml"), ["name: bench", "inputs:", "  text: { type: string, required: true }", "steps:", ...steps, ""].join("\n"));
  const fake = await startProcess(["--import", "tsx", "test/fakes/openai/serve-openai-fake.ts", "--fast"], ROOT);
  const config = writeGatewayConfig(join(dir, "liaison.yaml"), join(dir, "bench.db"), fake.url, [`workflows: { dir: "${join(dir, "workflows")}" }`]);
  const gw = await startProcess([join(ROOT, "bin/liaison.js"), "serve", "--config", config, "--port", "0"], dir);
  const direct = `${fake.url}/v1/chat/completions`;
  const run = `${gw.url}/v1/workflow/bench`;
  const runBody = JSON.stringify({ inputs: { text: "Say hello to the benchmark." } });
  try {
    for (let i = 0; i < WARMUP; i++) {
      for (let s = 0; s < STEPS; s++) await timed(direct, CHAT);
      await timed(run, runBody);
    }
    const perStep: number[] = [];
    const runs: number[] = [];
    const upstream: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let sum = 0;
      for (let s = 0; s < STEPS; s++) sum += await timed(direct, CHAT);
      const ms = await timed(run, runBody);
      runs.push(ms);
      upstream.push(sum / STEPS);
      perStep.push((ms - sum) / STEPS);
    }
    const sort = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [o, r, u] = [sort(perStep), sort(runs), sort(upstream)];
    const f = (n: number) => n.toFixed(2).padStart(7);
    console.log(`workflow of ${STEPS} sequential steps, ${RUNS} runs (after ${WARMUP} warm-up runs), fake upstream in its own process`);
    console.log(`                               p50      p99`);
    console.log(`run latency (ms)          ${f(percentile(r, 50))}  ${f(percentile(r, 99))}`);
    console.log(`direct call (ms)          ${f(percentile(u, 50))}  ${f(percentile(u, 99))}`);
    console.log(`gateway overhead per step ${f(percentile(o, 50))}  ${f(percentile(o, 99))}   (run − Σ direct calls) ÷ ${STEPS}`);
  } finally {
    await stopProcess(gw);
    await stopProcess(fake);
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
