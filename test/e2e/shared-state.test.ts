/**
 * Two gateway processes on one Redis behave as one gateway: a circuit opened
 * by failures seen on one instance is open on the other, and a target's rpm
 * holds across both (the total admitted equals the limit, not twice it).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const PREFIX = `liaison-e2e-${randomBytes(4).toString("hex")}:`;
let flaky: FakeServer;
let backup: FakeServer;
let limited: FakeServer;
const gws: CliServer[] = [];

beforeAll(async () => {
  flaky = await startOpenAIFake({ reply: "from flaky" });
  backup = await startOpenAIFake({ reply: "from backup" });
  limited = await startOpenAIFake({ reply: "from limited" });
  const config = {
    redis: { url: "redis://127.0.0.1:6379", prefix: PREFIX },
    routing: { circuit_breaker: { consecutive_failures: 3, cooldown_ms: 60_000 } },
    providers: {
      flaky: { type: "openai", base_url: flaky.url },
      backup: { type: "openai", base_url: backup.url },
      limited: { type: "openai", base_url: limited.url },
    },
    models: {
      m: { strategy: "priority", targets: [{ provider: "flaky", model: "gpt-4o" }, { provider: "backup", model: "gpt-4o" }] },
      capped: { strategy: "priority", targets: [{ provider: "limited", model: "gpt-4o", rpm: 10 }, { provider: "backup", model: "gpt-4o-mini" }] },
    },
  };
  gws.push(await startCli(config), await startCli(config));
});

afterAll(async () => {
  await Promise.all(gws.map((g) => g.dispose()));
  await Promise.all([flaky, backup, limited].map((f) => f?.close()));
  const redis = new Redis("redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const clientOf = (g: CliServer) => new OpenAI({ baseURL: `${g.url}/v1`, apiKey: "x", maxRetries: 0 });
const circuitOn = async (g: CliServer, target: string) =>
  ((await (await request(`${g.url}/admin/providers`)).body.json()) as { targets: { target: string; circuit: string }[]; shared_state: string })
    .targets.find((t) => t.target === target)?.circuit;

it("a circuit opened on instance A is open on instance B", async () => {
  const [a, b] = gws as [CliServer, CliServer];
  flaky.setFault({ kind: "status", status: 500, times: 3 });
  for (let i = 0; i < 3; i++) {
    const res = await clientOf(a).chat.completions.create({ model: "m", messages: [{ role: "user", content: `x${i}` }] });
    expect(res.choices[0]!.message.content).toBe("from backup");
  }
  expect(await circuitOn(a, "flaky/gpt-4o")).toBe("open");
  await expect.poll(() => circuitOn(b, "flaky/gpt-4o"), { timeout: 2000 }).toBe("open");
  // B never called flaky itself, yet skips it.
  const before = flaky.requests.length;
  const { response } = await clientOf(b).chat.completions.create({ model: "m", messages: [{ role: "user", content: "on b" }] }).withResponse();
  expect(response.headers.get("x-liaison-provider")).toBe("backup");
  expect(response.headers.get("x-liaison-attempts")).toBe("1");
  expect(flaky.requests.length).toBe(before);
});

it("a target's rpm holds across both instances", async () => {
  const [a, b] = gws as [CliServer, CliServer];
  const asks = Array.from({ length: 30 }, (_, i) =>
    clientOf(i % 2 ? a : b).chat.completions.create({ model: "capped", messages: [{ role: "user", content: `cap ${i}` }] }));
  const answers = (await Promise.all(asks)).map((r) => r.choices[0]!.message.content);
  expect(answers.filter((t) => t === "from limited")).toHaveLength(10);
  expect(answers.filter((t) => t === "from backup")).toHaveLength(20);
});
