/**
 * A JSON answer, served by a recording server: forwarded as the upstream's
 * own bytes (parsed to be checked and read, its text kept beside the
 * object); a body that is not a JSON object is the upstream's fault. Also
 * what the adapter sends: the preset's URL, the key as a Bearer token.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawText } from "../../core/lazy-chunk.js";
import type { ChatRequest } from "../../core/types.js";
import type { CallContext, Timeouts } from "../types.js";
import { createOpenAIAdapter, type OpenAICompatibleAdapter } from "./adapter.js";
import { openAICompatibleConfigSchema } from "./config.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const TIMEOUTS: Timeouts = { connectMs: 2000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 };
const ctx: CallContext = { signal: new AbortController().signal, timeouts: TIMEOUTS, requestId: "t" };

/** The body served, by the request's model. */
const BODIES: Record<string, string> = {
  "gpt-5.4": fixture("response-text.json"),
  "gpt-4o-mini": fixture("response-tool-calls.json"),
  html: "<html><body>OK</body></html>",
  "null-body": "null",
};

let server: Server;
let adapter: OpenAICompatibleAdapter;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
const ask = (model: string): ChatRequest => ({ model, messages: [{ role: "user", content: "What's in this image?" }] });

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(BODIES[(JSON.parse(text) as ChatRequest).model]);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  adapter = createOpenAIAdapter("openai", openAICompatibleConfigSchema.parse({ type: "openai", base_url: base, api_key: "sk-test" }), TIMEOUTS);
});
afterAll(async () => {
  await adapter.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("JSON answers", () => {
  for (const model of ["gpt-5.4", "gpt-4o-mini"]) {
    it(`${model}: the object, with the upstream's text kept byte for byte`, async () => {
      const res = await adapter.chat(ask(model), ctx);
      expect(res).toEqual(JSON.parse(BODIES[model]!));
      expect(rawText(res)).toBe(BODIES[model]);
    });
  }

  it("reads a tool call answer", async () => {
    const res = await adapter.chat(ask("gpt-4o-mini"), ctx);
    expect(res.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { content: null, tool_calls: [{ id: "call_abc123", function: { name: "get_current_weather" } }] } });
  });

  it("refuses a body that is not a JSON object", async () => {
    await expect(adapter.chat(ask("html"), ctx)).rejects.toMatchObject({ code: "upstream_error", message: "Provider 'openai' returned a body that is not valid JSON (status 200)." });
    await expect(adapter.chat(ask("null-body"), ctx)).rejects.toMatchObject({ code: "upstream_error", message: "Provider 'openai' returned an unexpected body for chat/completions." });
  });

  it("posts to the configured base URL with the key as a Bearer token", () => {
    expect(seen.at(-1)).toMatchObject({ url: "/v1/chat/completions", headers: { authorization: "Bearer sk-test", "content-type": "application/json", accept: "application/json" } });
  });
});
