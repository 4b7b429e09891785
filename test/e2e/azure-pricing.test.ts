/**
 * Azure deployments are priced by the model they serve: the cost is looked
 * up under the model the upstream says answered (gpt-4o-2024-08-06 for a
 * deployment named prod-chat), or under a target's explicit `price_model`,
 * so x-liaison-cost-usd, the log row's cost_usd and budgets all see it.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAzureFake, type AzureFakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let azure: AzureFakeServer;
let gw: CliServer;
let client: OpenAI;

beforeAll(async () => {
  azure = await startAzureFake({ apiKey: "az-key", deployments: ["prod-chat", "house-model"], servedModels: { "prod-chat": "gpt-4o-2024-08-06" } });
  gw = await startCli({
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { az: { type: "azure", base_url: azure.endpoint, api_key: "az-key", api_version: "2024-10-21" } },
    models: {
      chat: { targets: [{ provider: "az", model: "prod-chat" }] },
      // Reports its own name, which no catalogue knows: the target says what to price it as.
      house: { targets: [{ provider: "az", model: "house-model", price_model: "gpt-4o-mini" }] },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await azure?.close();
});

async function costOf(id: string): Promise<number | null> {
  let cost: number | null | undefined;
  await expect.poll(async () => {
    const res = await request(`${gw.url}/admin/logs/${id}`);
    if (res.statusCode !== 200) return void (await res.body.dump());
    cost = ((await res.body.json()) as { cost_usd: number | null }).cost_usd;
    return true;
  }).toBe(true);
  return cost ?? null;
}

it("prices a deployment by the model it served", async () => {
  const { data, response } = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "price me please" }] }).withResponse();
  expect(data.model).toBe("gpt-4o-2024-08-06");
  const header = Number(response.headers.get("x-liaison-cost-usd"));
  expect(header).toBeGreaterThan(0);
  expect(await costOf(response.headers.get("x-request-id")!)).toBeCloseTo(header, 12);
});

it("prices a streamed answer the same way", async () => {
  const stream = await client.chat.completions.create({ model: "chat", stream: true, messages: [{ role: "user", content: "a streamed answer to price" }] }).withResponse();
  for await (const _ of stream.data) { /* drain */ }
  expect(await costOf(stream.response.headers.get("x-request-id")!)).toBeGreaterThan(0);
});

it("prices a target as its price_model when its config names one", async () => {
  const { response } = await client.chat.completions.create({ model: "house", messages: [{ role: "user", content: "house special" }] }).withResponse();
  expect(Number(response.headers.get("x-liaison-cost-usd"))).toBeGreaterThan(0);
});
