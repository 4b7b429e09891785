/**
 * `serve --workers 1` against `--workers 2` in the same run (both with Redis
 * for shared state, SQLite request logs, one fake upstream): throughput, p50
 * and p99, and CPU per request summed over the primary and its workers
 * (from /proc). The load generator (autocannon, in this process) and the
 * fake upstream share the machine's cores with the gateway, so on a 2-core
 * machine a second worker has little idle CPU to use: the figures say what
 * it costs and gives here, not what it gives on a larger machine.
 *
 *   npm run build && node --import tsx bench/workers.bench.ts [--seconds 5] [--rounds 2] [--connections 64]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startProcess, stopProcess, writeGatewayConfig, type Proc } from "./harness.js";

const { values } = parseArgs({ options: {
  seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "2" }, connections: { type: "string", default: "64" },
} });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const ROOT = new URL("..", import.meta.url).pathname;

/** CPU time (ms) of a process and all its descendants (the cluster's workers). */
function treeCpuMs(pid: number): number {
  let total = 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    total += (Number(fields[11]) + Number(fields[12])) * 10;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) total += treeCpuMs(Number(child));
  } catch {
    // a process that just exited
  }
  return total;
}

const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello to the benchmark." }] });
const load = (url: string, s: number) => new Promise<autocannon.Result>((ok, fail) => {
  autocannon({ url: `${url}/v1/chat/completions`, method: "POST", headers: { "content-type": "application/json" }, body, connections, duration: s },
    (err, result) => (err ? fail(err) : ok(result)));
});

const dir = mkdtempSync(join(tmpdir(), "liaison-workers-bench-"));
const fake = await startProcess(["--import", "tsx", "test/fakes/openai/serve-openai-fake.ts", "--fast"], ROOT);
console.log(`${availableParallelism()} cores; ${connections} connections, ${rounds} × ${seconds} s per setting`);
try {
  const direct = await load(fake.url.replace(/\/$/, ""), seconds);
  console.log(`direct upstream: ${Math.round(direct.requests.total / seconds)} req/s`);
  for (const workers of [1, 2]) {
    const config = writeGatewayConfig(join(dir, `${workers}.yaml`), join(dir, `${workers}.db`), fake.url,
      [`redis: { url: "redis://127.0.0.1:6379", prefix: "liaison-bench-workers-${process.pid}-${workers}:" }`]);
    const gw: Proc = await startProcess(["--max-semi-space-size=4", "--heap-growing-percent=30", join(ROOT, "bin/liaison.js"), "serve", "--config", config, "--port", "0", "--workers", String(workers)], dir);
    try {
      await load(gw.url, 2); // warm-up
      for (let r = 0; r < rounds; r++) {
        const before = treeCpuMs(gw.child.pid!);
        const res = await load(gw.url, seconds);
        const cpu = ((treeCpuMs(gw.child.pid!) - before) * 1000) / res.requests.total;
        console.log(`workers ${workers}: ${Math.round(res.requests.total / seconds)} req/s (${(res.requests.total / direct.requests.total * 100).toFixed(0)} % of direct), p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, ${cpu.toFixed(0)} µs CPU/req, errors ${res.errors + res.non2xx}`);
      }
    } finally {
      await stopProcess(gw);
    }
  }
} finally {
  await stopProcess(fake);
  rmSync(dir, { recursive: true, force: true });
}
