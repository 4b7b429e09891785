/**
 * Chaos: a few thousand concurrent requests against targets that fail at
 * random (5xx, dropped connections, slow answers) and one that is down.
 * Every request must end in a success or a clear error, none may hang, and no
 * request may reach one upstream more often than the attempt budget allows
 * (max_attempts bounds the attempts on each target; every target may be tried).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { seededRandom as rng } from "../helpers/fixtures.js";

const MAX_ATTEMPTS = 3;
const REQUESTS = 3000;
const CONCURRENCY = 100;


/** Upstream attempts per gateway request and target, keyed by the request's unique prompt and the upstream's name. */
const seen = new Map<string, number>();
const TARGETS = 4;
const servers: Server[] = [];

async function chaoticUpstream(name: string, failRate: number, seed: number): Promise<string> {
  const random = rng(seed);
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => { body += d.toString(); });
    req.on("end", () => {
      const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content;
      seen.set(`${prompt} ${name}`, (seen.get(`${prompt} ${name}`) ?? 0) + 1);
      const roll = random();
      if (roll < failRate * 0.6) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"chaos","type":"server_error","param":null,"code":null}}');
      } else if (roll < failRate * 0.8) {
        req.socket.destroy();
      } else if (roll < failRate) {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "0" }).end('{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}');
      } else {
        const delay = random() < 0.1 ? 30 : 0;
        setTimeout(() => {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
            id: "c", object: "chat.completion", created: 0, model: name,
            choices: [{ index: 0, message: { role: "assistant", content: `ok from ${name}` }, finish_reason: "stop" }],
            usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
          }));
        }, delay);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

let gw: CliServer;

beforeAll(async () => {
  const providers = {
    flaky1: { type: "openai", base_url: await chaoticUpstream("flaky1", 0.3, 1) },
    flaky2: { type: "openai", base_url: await chaoticUpstream("flaky2", 0.5, 2) },
    steady: { type: "openai", base_url: await chaoticUpstream("steady", 0.05, 3) },
    down: { type: "openai", base_url: "http://127.0.0.1:1/v1" },
  };
  gw = await startCli({
    logging: { level: "error" },
    providers,
    routing: { retry: { max_attempts: MAX_ATTEMPTS, base_delay_ms: 5, max_delay_ms: 20 }, circuit_breaker: { consecutive_failures: 5, cooldown_ms: 200 } },
    models: {
      chaos: {
        strategy: "weighted",
        targets: ["flaky1", "flaky2", "steady", "down"].map((p) => ({ provider: p, model: "m" })),
      },
    },
  });
}, 30_000);

afterAll(async () => {
  await gw?.dispose();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

it(`${REQUESTS} concurrent requests, 1 of 4 targets down, 3 failing at random: all end, none exceeds the attempt budget`, async () => {
  const agent = new Agent({ connections: CONCURRENCY });
  const outcomes = { ok: 0, error: 0 };
  const errorStatuses = new Map<number, number>();
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const t0 = performance.now();
      const res = await request(`${gw.url}/v1/chat/completions`, {
        dispatcher: agent,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "chaos", messages: [{ role: "user", content: `chaos-${i}` }] }),
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      const body = (await res.body.json()) as { choices?: unknown[]; error?: { message: string; type: string } };
      latencies.push(performance.now() - t0);
      if (res.statusCode === 200) {
        expect(body.choices).toHaveLength(1);
        outcomes.ok++;
      } else {
        expect(res.statusCode).toBeGreaterThanOrEqual(500);
        expect(typeof body.error?.message).toBe("string");
        outcomes.error++;
        errorStatuses.set(res.statusCode, (errorStatuses.get(res.statusCode) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await agent.close();
  const elapsed = Date.now() - started;

  expect(outcomes.ok + outcomes.error).toBe(REQUESTS);
  // The attempt budget holds for every single request on every target.
  const maxSeen = Math.max(...seen.values());
  expect(maxSeen).toBeLessThanOrEqual(MAX_ATTEMPTS);
  const perRequest = new Map<string, number>();
  for (const [k, n] of seen) perRequest.set(k.split(" ")[0]!, (perRequest.get(k.split(" ")[0]!) ?? 0) + n);
  expect(Math.max(...perRequest.values())).toBeLessThanOrEqual(TARGETS * MAX_ATTEMPTS);
  const successRate = outcomes.ok / REQUESTS;
  expect(successRate).toBeGreaterThan(0.95);
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length * 0.5)]!;
  const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
  const providers = (await (await request(`${gw.url}/admin/providers`)).body.json()) as { targets: { target: string; circuit: string }[] };
  console.log(`chaos: ${REQUESTS} requests in ${elapsed} ms, success ${(successRate * 100).toFixed(2)}%, errors ${JSON.stringify(Object.fromEntries(errorStatuses))}, upstream attempts ${[...seen.values()].reduce((a, b) => a + b, 0)} (max ${maxSeen} per request and target, ${Math.max(...perRequest.values())} per request), p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, circuits ${providers.targets.map((t) => `${t.target}=${t.circuit}`).join(" ")}`);
  // The dead target's circuit opened instead of being hammered.
  expect(providers.targets.find((t) => t.target === "down/m")?.circuit).not.toBe("closed");
}, 120_000);
