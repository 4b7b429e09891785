/**
 * A seeded, bounded fuzz run against one real gateway process (`liaison
 * serve`): 2 000 generated requests (./generators.ts) over the four model
 * endpoints and POST /admin/keys, with fuzzed gateway headers. Whatever the
 * input, the gateway answers (4xx for bad input, in the documented error
 * shape — OpenAI's, Anthropic's on /v1/messages —, 2xx for good, never a 5xx)
 * within seconds, finishes every stream it starts, logs no uncaught error and
 * is still alive and healthy at the end.
 *
 * Replay a run: FUZZ_SEED=<seed printed below> npx vitest run test/fuzz/fuzz.test.ts
 * (FUZZ_COUNT changes the number of requests). `npm run fuzz` sends the same
 * generators at 10 000+ and watches the process's memory.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { failureReport, fuzzGatewayConfig, runFuzz, type FuzzContext } from "./generators.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_301);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2_000);
if (!Number.isSafeInteger(SEED) || !Number.isSafeInteger(COUNT)) throw new Error("FUZZ_SEED and FUZZ_COUNT must be whole numbers");
const CONCURRENCY = 8;
const TIMEOUT_MS = 10_000;
const ADMIN_KEY = "fuzz-admin-key";
const BODY_LIMIT_MB = 2;
/** Lines in the gateway's stderr that mean an error escaped every handler (or a stack blew). */
const ALARMS = /unhandled|uncaught|RangeError|Maximum call stack/i;

let gw: CliServer;
let ctx: FuzzContext;
let died: string | null = null;

beforeAll(async () => {
  gw = await startCli(fuzzGatewayConfig(ADMIN_KEY, BODY_LIMIT_MB));
  gw.proc.once("exit", (code, signal) => {
    died = `the gateway process exited (code ${code}, signal ${signal})`;
  });
  const res = await request(`${gw.url}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "fuzz member", role: "member" }),
  });
  expect(res.statusCode).toBe(201);
  const { key } = (await res.body.json()) as { key: string };
  ctx = { adminKey: ADMIN_KEY, memberKey: key, bodyLimitBytes: BODY_LIMIT_MB * 1024 * 1024 };
});

afterAll(async () => {
  await gw?.dispose();
});

it(`answers ${COUNT} fuzzed requests without a 5xx, a hang or a crash`, async () => {
  console.log(`fuzz: seed ${SEED}, ${COUNT} requests (replay: FUZZ_SEED=${SEED} npx vitest run test/fuzz/fuzz.test.ts)`);
  const started = Date.now();
  const result = await runFuzz({ url: gw.url, seed: SEED, count: COUNT, concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS, ctx, alive: () => died === null });
  console.log(`fuzz: ${result.sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${result.failures.length} failed`);

  // Work left behind (log rows with the bodies, cache writes) runs after the answers: give it a moment to fail.
  await sleep(1_000);
  const problems: string[] = [];
  if (result.failures.length > 0) {
    problems.push(`${result.failures.length} of ${result.sent} requests failed (seed ${SEED}):\n${failureReport(result.failures)}`);
  }
  if (died !== null) {
    problems.push(`${died} after ${result.sent} of ${COUNT} requests were sent: the cause is among the requests without an answer above ` +
      "(the earliest to time out, usually; the rest were in flight when it died)");
  } else {
    const health = await request(`${gw.url}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      async (r) => `${r.statusCode} ${await r.body.text()}`,
      (err: Error) => `no answer: ${err.message}`,
    );
    if (!health.startsWith("200 ")) problems.push(`GET /health after the run: ${health}`);
  }
  const alarms = gw.stderr().split("\n").filter((line) => ALARMS.test(line));
  if (alarms.length > 0) {
    problems.push(`${alarms.length} alarming lines in the gateway's stderr, e.g.:\n${alarms.slice(0, 5).map((l) => `  ${l.slice(0, 400)}`).join("\n")}`);
  }
  if (problems.length > 0) expect.fail(problems.join("\n\n"));
}, 300_000);
