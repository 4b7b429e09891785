/**
 * Two builds of the gateway side by side: A and B run at the same time, each
 * under its own autocannon load against one fake upstream, and the script
 * prints each one's CPU time per request (all threads, from /proc) and B/A.
 * Both see the same machine at the same moment, so the ratio stays steady
 * while this VM's speed drifts — what `npm run bench` cannot give when the
 * question is "did this change make the gateway cheaper?".
 *
 *   git worktree add ../before HEAD~1 && (cd ../before && npm ci && npm run build)
 *   npm run build
 *   node --import tsx bench/side-by-side.ts ../before . [--stream] [--connections 32] [--seconds 4] [--rounds 4]
 *
 * Linux only (reads /proc). Request logging is on (SQLite) in both.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startProcess, stopProcess, writeGatewayConfig, type Proc } from "./harness.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    stream: { type: "boolean", default: false },
    connections: { type: "string", default: "32" },
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "4" },
  },
});
if (positionals.length !== 2) {
  console.error("usage: node --import tsx bench/side-by-side.ts <checkout A> <checkout B> [--stream] [--connections N] [--seconds N] [--rounds N]");
  process.exit(2);
}
const [dirA, dirB] = positionals.map((p) => resolve(p)) as [string, string];
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const ROOT = new URL("..", import.meta.url).pathname;

/** CPU time of a process (all its threads), in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const body = JSON.stringify({
  model: "gpt-4o-mini",
  messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Say hello to the benchmark." }],
  ...(values.stream ? { stream: true } : {}),
});
const load = (url: string, s: number) => new Promise<autocannon.Result>((ok, fail) => {
  autocannon({ url: `${url}/v1/chat/completions`, method: "POST", headers: { "content-type": "application/json" }, body, connections, duration: s },
    (err, result) => (err ? fail(err) : ok(result)));
});

const dir = mkdtempSync(join(tmpdir(), "liaison-side-by-side-"));
const fake = await startProcess(["--import", "tsx", "test/fakes/openai/serve-openai-fake.ts", "--fast", "--stream-chunks", "20"], ROOT);
const gateways: Proc[] = [];
try {
  for (const [i, root] of [dirA, dirB].entries()) {
    const config = writeGatewayConfig(join(dir, `${i}.yaml`), join(dir, `${i}.db`), fake.url);
    // The flags bin/liaison.js's shebang gives `npx liaison serve`.
    gateways.push(await startProcess(["--max-semi-space-size=4", "--heap-growing-percent=30", join(root, "bin/liaison.js"), "serve", "--config", config, "--port", "0"], dir));
  }
  await Promise.all(gateways.map((g) => load(g.url, 2)));
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const before = gateways.map((g) => cpuMs(g.child.pid!));
    const results = await Promise.all(gateways.map((g) => load(g.url, seconds)));
    const perRequest = results.map((res, k) => ((cpuMs(gateways[k]!.child.pid!) - before[k]!) * 1000) / res.requests.total);
    ratios.push(perRequest[1]! / perRequest[0]!);
    console.log(`A ${Math.round(results[0]!.requests.total / seconds)} req/s ${perRequest[0]!.toFixed(0)} µs/req   B ${Math.round(results[1]!.requests.total / seconds)} req/s ${perRequest[1]!.toFixed(0)} µs/req   B/A ${ratios.at(-1)!.toFixed(3)}`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median B/A CPU per request: ${ratios[ratios.length >> 1]!.toFixed(3)}`);
} finally {
  await Promise.all(gateways.map(stopProcess));
  await stopProcess(fake);
  rmSync(dir, { recursive: true, force: true });
}
