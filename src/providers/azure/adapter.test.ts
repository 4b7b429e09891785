/**
 * The Azure adapter over real HTTP against a recording server: the URL and
 * headers each API version sends, Azure's content-filter verdicts passed
 * through, and a content-filter refusal (the spec's errorResponse with an
 * inner_error) reaching the client as the 400 it is.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import { rawText } from "../../core/lazy-chunk.js";
import type { ChatChunk, ChatRequest } from "../../core/types.js";
import type { CallContext, ProviderAdapter, Timeouts } from "../types.js";
import { createAzureAdapter } from "./adapter.js";
import { azureConfigSchema } from "./config.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const TIMEOUTS: Timeouts = { connectMs: 2000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 };
const ctx: CallContext = { signal: new AbortController().signal, timeouts: TIMEOUTS, requestId: "t" };
const ask: ChatRequest = { model: "gpt-4o-prod", messages: [{ role: "user", content: "can you tell me how to care for a parrot?" }] };

/** What the server answers, by the last message's content. */
const REPLIES: Record<string, { status: number; type: string; body: string }> = {
  "can you tell me how to care for a parrot?": { status: 200, type: "application/json", body: fixture("response-content-filter.json") },
  stream: { status: 200, type: "text/event-stream", body: fixture("stream-prompt-filter.sse") },
  refuse: { status: 400, type: "application/json", body: fixture("error-content-filter.json") },
};

let server: Server;
let base: string;
const seen: { url: string; headers: IncomingHttpHeaders; body: ChatRequest }[] = [];
const adapters: ProviderAdapter[] = [];

function azure(apiVersion?: string): ProviderAdapter {
  const config = azureConfigSchema.parse({ type: "azure", base_url: base, api_key: "azure-key", ...(apiVersion ? { api_version: apiVersion } : {}) });
  const adapter = createAzureAdapter("az", config, TIMEOUTS);
  adapters.push(adapter);
  return adapter;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      const body = JSON.parse(text) as ChatRequest;
      seen.push({ url: req.url ?? "", headers: req.headers, body });
      const last = body.messages.at(-1)?.content;
      const reply = REPLIES[typeof last === "string" ? last : ""] ?? REPLIES.refuse!;
      res.writeHead(reply.status, { "content-type": reply.type, "apim-request-id": "a1" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close?.()));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("requests", () => {
  it("a dated version: deployment URL, api-version query, api-key header", async () => {
    await azure().chat(ask, ctx);
    const sent = seen.at(-1)!;
    expect(sent.url).toBe("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
    expect(sent.headers["api-key"]).toBe("azure-key");
    expect(sent.headers.authorization).toBeUndefined();
  });

  it("v1: the OpenAI surface, the deployment as the body's model", async () => {
    await azure("v1").chat(ask, ctx);
    const sent = seen.at(-1)!;
    expect(sent.url).toBe("/openai/v1/chat/completions");
    expect(sent.body.model).toBe("gpt-4o-prod");
    expect(sent.headers["api-key"]).toBe("azure-key");
  });
});

describe("content filtering", () => {
  it("passes a filtered answer through with Azure's verdicts, byte for byte", async () => {
    const res = await azure().chat(ask, ctx);
    expect(res.choices[0]?.finish_reason).toBe("content_filter");
    expect(res).toMatchObject({ prompt_filter_results: [{ prompt_index: 0 }], choices: [{ content_filter_results: { violence: { filtered: true, severity: "medium" } } }] });
    expect(rawText(res)).toBe(fixture("response-content-filter.json"));
  });

  it("streams past the prompt-verdict chunk Azure sends first, with empty choices", async () => {
    const chunks: ChatChunk[] = [];
    for await (const chunk of await azure().chatStream({ ...ask, stream: true, messages: [{ role: "user", content: "stream" }] }, ctx)) chunks.push(chunk);
    expect(chunks.map((c) => c.choices.length)).toEqual([0, 1, 1, 1]);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Ahoy matey!");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("reports a refused prompt as the client's 400, with Azure's code and param", async () => {
    const err = await azure().chat({ ...ask, messages: [{ role: "user", content: "refuse" }] }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({
      code: "invalid_request", status: 400, type: "invalid_request_error", clientCode: "content_filter", param: "prompt", retryable: false,
      message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
    });
    const streamed = await azure().chatStream({ ...ask, stream: true, messages: [{ role: "user", content: "refuse" }] }, ctx).catch((e: unknown) => e);
    expect(streamed).toMatchObject({ status: 400, clientCode: "content_filter" });
  });
});
