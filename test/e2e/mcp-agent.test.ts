/**
 * Tool calling end to end (docs/mcp.md): a chat model behind the gateway
 * (the OpenAI fake, which calls a tool when asked about the weather) and a
 * tool the gateway serves from an MCP server, in one agent loop with one key.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { runAgent } from "../mcp/agent-loop.js";
import { admin } from "../mcp/gateway-client.js";
import { stdioServerConfig } from "../mcp/servers/stdio-command.js";

const ADMIN = "sk-agent-admin";
let fake: FakeServer;
let gw: CliServer;

beforeAll(async () => {
  fake = await startOpenAIFake();
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { openai: { type: "openai", base_url: fake.url } },
    mcp: { servers: { docs: stdioServerConfig() } },
  });
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
});

it("a chat model calls a tool that the gateway serves from an MCP server", async () => {
  // The agent's key sees one tool: the model is offered exactly that one.
  const { key, id } = await admin(gw.url, ADMIN, "POST", "/admin/keys", { name: "agent", mcp_tools: ["docs__weather"] });
  const run = await runAgent(gw.url, key, "openai/gpt-4o-mini", "What is the weather in Paris?");

  expect(run.calls).toEqual([{ name: "docs__weather", arguments: { location: "Paris" }, result: "Sunny and 21 °C in Paris." }]);
  expect(run.answer).toBeTruthy();
  const last = fake.requests.at(-1)!.body as { messages: { role: string; content: unknown }[]; tools: { function: { name: string } }[] };
  expect(last.tools.map((t) => t.function.name)).toEqual(["docs__weather"]);
  expect(last.messages.at(-1)).toMatchObject({ role: "tool", content: "Sunny and 21 °C in Paris." });

  // Both kinds of call are in the request log under the same key.
  await expect.poll(async () => {
    const { data } = await admin(gw.url, ADMIN, "GET", `/admin/logs?key_id=${id}`);
    return (data as { endpoint: string }[]).map((r) => r.endpoint).sort();
  }, { timeout: 5_000 }).toEqual(["/mcp", "/v1/chat/completions", "/v1/chat/completions"]);
});
