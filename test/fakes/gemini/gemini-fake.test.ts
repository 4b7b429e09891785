/**
 * The Gemini fake over plain HTTP: Google's URLs, auth, JSON layouts, SSE
 * framing, the behaviours tests rely on, request validation and faults.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_HEADER } from "../_shared/faults.js";
import { startGeminiFake } from "./gemini-fake.js";
import type { FakeServer } from "../_shared/fake-server.js";

const KEY = "gemini-test-key";
let fake: FakeServer;

beforeAll(async () => {
  fake = await startGeminiFake({ apiKey: KEY });
});
afterAll(() => fake.close());

type Json = Record<string, unknown>;

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": KEY, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const user = (text: string): Json => ({ contents: [{ role: "user", parts: [{ text }] }] });

/** The JSON objects of an alt=sse body, checking Google's framing on the way. */
function sseEvents(text: string): Json[] {
  expect(text.endsWith("\r\n\r\n")).toBe(true);
  return text.split("\r\n\r\n").filter((f) => f !== "").map((frame) => {
    expect(frame.startsWith("data: ")).toBe(true);
    return JSON.parse(frame.slice("data: ".length)) as Json;
  });
}

describe("generateContent", () => {
  it("echoes the last user text in Google's pretty-printed layout", async () => {
    const res = await post("/v1beta/models/gemini-2.0-flash:generateContent", {
      systemInstruction: { parts: [{ text: "be brief" }] },
      ...user("hello gemini"),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(res.headers.get("server")).toBe("scaffolding on HTTPServer2");
    const text = await res.text();
    expect(text.startsWith('{\n  "candidates": [\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      candidates: [{ content: { parts: [{ text: "echo: hello gemini" }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7, promptTokensDetails: [{ modality: "TEXT", tokenCount: 4 }] },
      modelVersion: "gemini-2.0-flash",
      responseId: expect.stringMatching(/^FakeRespId\d{12}$/),
    });
    expect(fake.requests.at(-1)).toMatchObject({ path: "/v1beta/models/gemini-2.0-flash:generateContent", headers: { "x-goog-api-key": KEY } });
  });

  it("thinking models count thought tokens and return thoughts when asked", async () => {
    const res = await post("/v1beta/models/gemini-2.5-flash:generateContent", { ...user("hi"), generationConfig: { thinkingConfig: { includeThoughts: true } } });
    const body = (await res.json()) as { candidates: { content: { parts: Json[] } }[]; usageMetadata: Json };
    expect(body.candidates[0]?.content.parts).toEqual([{ text: "Thinking about: hi", thought: true }, { text: "echo: hi" }]);
    expect(body.usageMetadata).toMatchObject({ promptTokenCount: 1, candidatesTokenCount: 2, thoughtsTokenCount: 3, totalTokenCount: 6 });
  });

  it("honours maxOutputTokens, candidateCount and JSON mode", async () => {
    const res = await post("/v1beta/models/gemini-2.0-flash:generateContent", {
      ...user("one two three four"),
      generationConfig: { maxOutputTokens: 2, candidateCount: 2 },
    });
    const body = (await res.json()) as { candidates: Json[] };
    expect(body.candidates.map((c) => [c.index, c.finishReason, (c.content as { parts: Json[] }).parts[0]?.text])).toEqual([
      [0, "MAX_TOKENS", "echo: one"],
      [1, "MAX_TOKENS", "echo: one"],
    ]);
    const json = await post("/v1beta/models/gemini-2.0-flash:generateContent", { ...user("x"), generationConfig: { responseMimeType: "application/json" } });
    const text = ((await json.json()) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]?.content.parts[0]?.text;
    expect(JSON.parse(text ?? "")).toEqual({ echo: "echo: x" });
  });

  it("calls functions for the weather, in parallel for two places, and obeys the calling mode", async () => {
    const tools = [{ functionDeclarations: [{ name: "get_weather", parameters: { type: "OBJECT", properties: { city: { type: "STRING" }, days: { type: "INTEGER" } } } }] }];
    const res = await post("/v1beta/models/gemini-2.0-flash:generateContent", { ...user("weather in Paris and Tokyo?"), tools });
    const parts = ((await res.json()) as { candidates: { content: { parts: Json[] } }[] }).candidates[0]?.content.parts;
    expect(parts).toEqual([
      { functionCall: { name: "get_weather", args: { city: "Paris", days: 1 } } },
      { functionCall: { name: "get_weather", args: { city: "Tokyo", days: 1 } } },
    ]);
    const forced = await post("/v1beta/models/gemini-2.0-flash:generateContent", { ...user("hello"), tools, toolConfig: { functionCallingConfig: { mode: "ANY" } } });
    expect(JSON.stringify(await forced.json())).toContain('"functionCall"');
    const off = await post("/v1beta/models/gemini-2.0-flash:generateContent", { ...user("weather in Oslo"), tools, toolConfig: { functionCallingConfig: { mode: "NONE" } } });
    expect(JSON.stringify(await off.json())).not.toContain('"functionCall"');
  });

  it("blocks a prompt with BLOCKME and stops an answer for UNSAFE", async () => {
    const blocked = (await (await post("/v1beta/models/gemini-2.0-flash:generateContent", user("please BLOCKME"))).json()) as Json;
    expect(blocked.candidates).toBeUndefined();
    expect(blocked.promptFeedback).toMatchObject({ blockReason: "SAFETY" });
    const unsafe = (await (await post("/v1beta/models/gemini-2.0-flash:generateContent", user("UNSAFE"))).json()) as { candidates: Json[] };
    expect(unsafe.candidates[0]).toMatchObject({ finishReason: "SAFETY", index: 0 });
    expect(unsafe.candidates[0]?.content).toBeUndefined();
  });
});

describe("streamGenerateContent", () => {
  it("streams partial responses with cumulative usage and a final finishReason (alt=sse)", async () => {
    const res = await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", user("stream this please"));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const raw = await res.text();
    expect(raw.startsWith('data: {"candidates": [{"content": {"parts": [{"text": "echo:"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 3,')).toBe(true);
    const events = sseEvents(raw) as { candidates: { content: { parts: { text: string }[] }; finishReason?: string }[]; usageMetadata: Json }[];
    expect(events.map((e) => e.candidates[0]?.content.parts[0]?.text).join("")).toBe("echo: stream this please");
    expect(events.map((e) => e.candidates[0]?.finishReason)).toEqual([undefined, undefined, undefined, "STOP"]);
    expect(events.map((e) => e.usageMetadata.candidatesTokenCount)).toEqual([1, 2, 3, 4]);
  });

  it("without alt=sse the stream is one JSON array", async () => {
    const res = await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent", user("a b"));
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const events = (await res.json()) as unknown[];
    expect(events).toHaveLength(3);
  });

  it("sends function calls whole, with a thought signature from thinking models", async () => {
    const tools = [{ functionDeclarations: [{ name: "lookup", parameters: { type: "object", properties: { location: { type: "string" } } } }] }];
    const res = await post("/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse", { ...user("weather in Rome"), tools });
    const events = sseEvents(await res.text()) as { candidates: { content: { parts: Json[] }; finishReason?: string }[] }[];
    expect(events).toHaveLength(1);
    expect(events[0]?.candidates[0]?.finishReason).toBe("STOP");
    expect(events[0]?.candidates[0]?.content.parts).toEqual([
      { functionCall: { name: "lookup", args: { location: "Rome" } }, thoughtSignature: expect.any(String) },
    ]);
  });

  it("stops with SAFETY mid-stream for UNSAFE and sends an error event for STREAMERROR", async () => {
    const unsafe = sseEvents(await (await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", user("tell me UNSAFE things now"))).text());
    expect(unsafe).toHaveLength(3);
    expect(unsafe[2]).toMatchObject({ candidates: [{ finishReason: "SAFETY", safetyRatings: expect.arrayContaining([expect.objectContaining({ blocked: true })]) }] });
    const broken = sseEvents(await (await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", user("STREAMERROR right now"))).text());
    expect(broken.at(-1)).toEqual({ error: { code: 500, message: expect.stringContaining("internal error"), status: "INTERNAL" } });
  });
});

describe("validation as Google does it", () => {
  it("answers auth problems like Google: 403 without a key, 400 API_KEY_INVALID with a wrong one; ?key= works", async () => {
    const missing = await post("/v1beta/models/gemini-2.0-flash:generateContent", user("x"), { "x-goog-api-key": "" });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });
    const wrong = await post("/v1beta/models/gemini-2.0-flash:generateContent", user("x"), { "x-goog-api-key": "nope" });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }, {}] } });
    const query = await fetch(`${fake.url}/v1beta/models/gemini-2.0-flash:generateContent?key=${KEY}`, { method: "POST", body: JSON.stringify(user("x")) });
    expect(query.status).toBe(200);
  });

  it("404s unknown models, models used for the wrong method, and unknown URLs", async () => {
    const unknown = await post("/v1beta/models/gemini-9:generateContent", user("x"));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: Json }).error).toEqual({
      code: 404,
      message: "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.",
      status: "NOT_FOUND",
    });
    expect((await post("/v1beta/models/text-embedding-004:generateContent", user("x"))).status).toBe(404);
    const path = await post("/v2/models/gemini-2.0-flash:generateContent", user("x"));
    expect(path.status).toBe(404);
    expect(path.headers.get("content-type")).toContain("text/html");
  });

  it("rejects fields Gemini does not know, roles it does not have and OBJECT parameters without properties", async () => {
    const bad = async (body: Json, version = "v1beta"): Promise<string> => {
      const res = await post(`/${version}/models/gemini-2.0-flash:generateContent`, body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await bad({ ...user("x"), tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: { a: { type: "STRING" } }, additionalProperties: false } }] }] }))
      .toBe(`Invalid JSON payload received. Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters': Cannot find field.`);
    expect(await bad({ ...user("x"), tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: {} } }] }] }))
      .toContain("should be non-empty for OBJECT type");
    expect(await bad({ contents: [{ role: "assistant", parts: [{ text: "x" }] }] })).toBe("Please use a valid role: user, model.");
    expect(await bad({ contents: [] })).toContain("contents is not specified");
    expect(await bad({ ...user("x"), systemInstruction: { parts: [{ text: "s" }] } }, "v1")).toContain('Unknown name "systemInstruction"');
  });

  it("Gemini 3 refuses replayed function calls without their thought signature", async () => {
    const turn = (signature?: string): Json => ({
      contents: [
        { role: "user", parts: [{ text: "weather?" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: {} }, ...(signature ? { thoughtSignature: signature } : {}) }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "sunny" } } }] },
      ],
    });
    const refused = await post("/v1beta/models/gemini-3-pro-preview:generateContent", turn());
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("missing a thought_signature");
    const accepted = await post("/v1beta/models/gemini-3-pro-preview:generateContent", turn("c2ln"));
    const text = ((await accepted.json()) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]?.content.parts.at(-1)?.text;
    expect(text).toBe('echo: {"result":"sunny"}');
  });
});

describe("batchEmbedContents", () => {
  it("embeds each request, with outputDimensionality or the model's default size", async () => {
    const res = await post("/v1beta/models/text-embedding-004:batchEmbedContents", {
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] } },
        { model: "models/text-embedding-004", content: { parts: [{ text: "b" }] }, outputDimensionality: 8 },
      ],
    });
    const body = (await res.json()) as { embeddings: { values: number[] }[] };
    expect(body.embeddings.map((e) => e.values.length)).toEqual([768, 8]);
    const mismatch = await post("/v1beta/models/text-embedding-004:batchEmbedContents", { requests: [{ model: "models/other", content: { parts: [{ text: "a" }] } }] });
    expect(mismatch.status).toBe(400);
  });
});

describe("faults", () => {
  it("rate_limit: 429 RESOURCE_EXHAUSTED with RetryInfo and no Retry-After header", async () => {
    const res = await post("/v1beta/models/gemini-2.0-flash:generateContent", user("x"), { [FAULT_HEADER]: JSON.stringify({ kind: "rate_limit", retryAfterSeconds: 7 }) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    const body = (await res.json()) as { error: { status: string; message: string; details: Json[] } };
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.error.message).toContain("model: gemini-2.0-flash");
    expect(body.error.details.at(-1)).toEqual({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" });
  });

  it("status: Google's body for the status", async () => {
    fake.setFault({ kind: "status", status: 503, times: 1 });
    const res = await post("/v1beta/models/gemini-2.0-flash:generateContent", user("x"));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } });
    expect((await post("/v1beta/models/gemini-2.0-flash:generateContent", user("x"))).status).toBe(200);
  });

  it("drop_mid_stream and malformed_json cut the SSE stream", async () => {
    const dropped = await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", user("one two three"), { [FAULT_HEADER]: JSON.stringify({ kind: "drop_mid_stream", afterChunks: 1 }) });
    await expect(dropped.text()).rejects.toThrow();
    const malformed = await post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", user("one two three"), { [FAULT_HEADER]: JSON.stringify({ kind: "malformed_json" }) });
    const frames = (await malformed.text()).split(/\r?\n\r?\n/).filter(Boolean);
    expect(() => JSON.parse((frames[1] ?? "").slice("data: ".length))).toThrow();
  });
});
