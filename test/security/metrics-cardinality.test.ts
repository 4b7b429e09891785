/**
 * A key cannot grow the gateway's memory (and every scrape of /metrics)
 * without bound by naming made-up models: `provider/anything` resolves to a
 * route, and an upstream that ignores names (the mock here, many
 * OpenAI-compatible servers) answers it. The metrics' model labels keep at
 * most MAX_MODEL_LABELS distinct names; later ones are counted as OTHER_MODEL.
 */
import { Agent, request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_MODEL_LABELS, OTHER_MODEL } from "../../src/engine/outcomes.js";
import { startGateway, type Gateway } from "./upstream-target.js";

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ providers: { mock: { type: "mock" } } });
});
afterAll(async () => {
  await gw?.close();
});

async function metrics(): Promise<string> {
  return (await request(`${gw.url}/metrics`)).body.text();
}

it(`${MAX_MODEL_LABELS + 200} made-up model names make at most ${MAX_MODEL_LABELS} model label values, the rest counted as ${OTHER_MODEL}`, async () => {
  const dispatcher = new Agent({ connections: 8 });
  const total = MAX_MODEL_LABELS + 200;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const res = await request(`${gw.url}/v1/chat/completions`, {
        method: "POST", dispatcher, headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: `mock/made-up-${i}-${"x".repeat(300)}`, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await dispatcher.close();
  // Metrics are recorded on the tick after each answer.
  await new Promise((r) => setTimeout(r, 50));

  const text = await metrics();
  const requests = text.split("\n").filter((l) => l.startsWith("liaison_requests_total{"));
  const models = new Set(requests.map((l) => /model="([^"]*)"/.exec(l)?.[1]));
  expect(models.size).toBeLessThanOrEqual(MAX_MODEL_LABELS + 1);
  expect(models.has(OTHER_MODEL)).toBe(true);
  const counted = requests.reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
  expect(counted).toBe(total);
  // About 1.5 kB per series: unbounded, these 1 200 names alone made 1.8 MB.
  expect(text.length).toBeLessThan((MAX_MODEL_LABELS + 50) * 1_600);
}, 60_000);
