/**
 * The official openai client's `responses` API against the gateway's
 * POST /v1/responses, on each of the four upstream protocols: text, an
 * image, a function tool round trip, json_schema output, usage, streams
 * (events in OpenAI's order, sequence numbers, argument deltas) and stored
 * responses (retrieve, input items, delete, previous_response_id, another
 * team's key).
 */
import OpenAI from "openai";
import type { ResponseFunctionToolCall, ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { CITY_SCHEMA, PNG_BASE64, PROTOCOLS, startResponsesGateway, WEATHER_TOOL, type ResponsesGateway } from "./responses-gateway.js";

let g: ResponsesGateway;
let client: OpenAI;
let other: OpenAI;

beforeAll(async () => {
  g = await startResponsesGateway();
  client = new OpenAI({ baseURL: g.baseURL, apiKey: g.teamA, maxRetries: 0 });
  other = new OpenAI({ baseURL: g.baseURL, apiKey: g.teamB, maxRetries: 0 });
});
afterAll(async () => {
  await g?.close();
});

/** `store` is in the Response objects of OpenAI's reference examples, not in the SDK's type. */
const storeOf = (response: object): unknown => (response as { store?: unknown }).store;
const sent = (name: Parameters<ResponsesGateway["lastSent"]>[0]) => JSON.stringify(g.lastSent(name));

describe.each(PROTOCOLS)("POST /v1/responses on the $name protocol", ({ name, model }) => {
  it("answers text, with instructions, usage and the Response object's fields", async () => {
    const res = await client.responses.create({ model, instructions: "Be brief.", input: `hello ${name}` });
    expect(res.id).toMatch(/^resp_/);
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe(model);
    expect(res.output_text).toContain(`hello ${name}`);
    expect(res.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text" }] });
    expect(res.usage!.input_tokens).toBeGreaterThan(0);
    expect(res.usage!.output_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
    expect(sent(name)).toContain("Be brief.");
  });

  it("sends an input_image to the upstream", async () => {
    const res = await client.responses.create({
      model,
      input: [{ role: "user", content: [{ type: "input_text", text: "describe this" }, { type: "input_image", image_url: `data:image/png;base64,${PNG_BASE64}`, detail: "auto" }] }],
    });
    expect(res.status).toBe("completed");
    expect(sent(name)).toContain(PNG_BASE64);
  });

  it("round-trips a function tool: call → function_call_output → final answer", async () => {
    const first = await client.responses.create({ model, tools: [WEATHER_TOOL], input: "What is the weather in Paris?", store: false });
    const call = first.output.find((o): o is ResponseFunctionToolCall => o.type === "function_call")!;
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
    expect(JSON.parse(call.arguments)).toEqual({ city: expect.any(String) });
    const input: ResponseInputItem[] = [
      { role: "user", content: "What is the weather in Paris?" },
      call,
      { type: "function_call_output", call_id: call.call_id, output: "sunny, 24C" },
    ];
    const final = await client.responses.create({ model, tools: [WEATHER_TOOL], input, store: false });
    expect(final.output_text).not.toBe("");
    expect(final.output.every((o) => o.type === "message")).toBe(true);
    expect(sent(name)).toContain("sunny, 24C");
  });

  it("asks for text.format json_schema and returns JSON that fits it", async () => {
    const res = await client.responses.create({
      model, input: "Name a city", text: { format: { type: "json_schema", name: "city", schema: CITY_SCHEMA, strict: true } },
    });
    // The schema went upstream in the protocol's own form (response_format, a forced tool, responseSchema, format).
    expect(sent(name)).toContain("population");
    expect(JSON.parse(res.output_text)).toEqual({ city: expect.any(String), population: expect.any(Number) });
  });

  it("streams the typed events in OpenAI's order, numbered", async () => {
    const stream = client.responses.stream({ model, input: `stream ${name} please` });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual([
      "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
      "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
    ]);
    const seq = events.map((e) => e.sequence_number);
    expect(seq[0]).toBe(0);
    for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeGreaterThan(seq[i - 1]!);
    const deltas = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : []));
    expect(deltas.join("")).toBe(final.output_text);
    expect(final.output_text).toContain(`stream ${name} please`);
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("streams a function call's argument deltas", async () => {
    const stream = client.responses.stream({ model, tools: [WEATHER_TOOL], input: "What is the weather in Tokyo?" });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["response.created", "response.in_progress", "response.output_item.added"]);
    expect(types.at(-1)).toBe("response.completed");
    const deltas = events.flatMap((e) => (e.type === "response.function_call_arguments.delta" ? [e.delta] : []));
    const done = events.find((e) => e.type === "response.function_call_arguments.done");
    expect(deltas.length).toBeGreaterThan(0);
    expect(done).toMatchObject({ name: "get_weather", arguments: deltas.join("") });
    expect(types.indexOf("response.function_call_arguments.done")).toBeLessThan(types.lastIndexOf("response.output_item.done"));
    const final = await stream.finalResponse();
    expect(final.output.find((o) => o.type === "function_call")).toMatchObject({ name: "get_weather", arguments: deltas.join("") });
  });

  it("stores responses: retrieve, input items, previous_response_id, delete; another team sees none", async () => {
    const first = await client.responses.create({ model, input: `remember ${name} kiwi`, metadata: { topic: "fruit" } });
    const got = await client.responses.retrieve(first.id);
    expect(got).toMatchObject({ id: first.id, status: "completed", metadata: { topic: "fruit" }, output: first.output });
    const items = await client.responses.inputItems.list(first.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: "message", role: "user", content: [{ type: "input_text", text: `remember ${name} kiwi` }] });

    const second = await client.responses.create({ model, input: "what did I say?", previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    // The earlier turn (its input and its answer) went upstream ahead of the new input.
    const upstream = sent(name);
    expect(upstream.indexOf(`remember ${name} kiwi`)).toBeGreaterThanOrEqual(0);
    expect(upstream.indexOf(`remember ${name} kiwi`)).toBeLessThan(upstream.indexOf("what did I say?"));

    await expect(other.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.inputItems.list(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.create({ model, input: "x", previous_response_id: first.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.delete(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await client.responses.delete(second.id);
    await expect(client.responses.retrieve(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.retrieve("resp_unknown")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("POST /v1/responses: continuing a tool call and failures", () => {
  const { model } = PROTOCOLS[0]!;

  it("continues a stored function call with only its output", async () => {
    const first = await client.responses.create({ model, tools: [WEATHER_TOOL], input: "What is the weather in Oslo?" });
    const call = first.output.find((o): o is ResponseFunctionToolCall => o.type === "function_call")!;
    const final = await client.responses.create({
      model, tools: [WEATHER_TOOL], previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "snow, -3C" }],
    });
    expect(final.output_text).not.toBe("");
    const messages = (g.lastSent("openai") as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[] }).messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(messages[1]!.tool_calls![0]!.id).toBe(call.call_id);
    expect(messages[2]!.tool_call_id).toBe(call.call_id);
  });

  it("resolves item_reference inputs to stored items", async () => {
    const first = await client.responses.create({ model, input: "the password is swordfish" });
    const answer = first.output[0]!.id!;
    await client.responses.create({ model, input: [{ type: "item_reference", id: answer }, { role: "user", content: "repeat it" }] });
    const messages = (g.lastSent("openai") as { messages: { role: string; content: string }[] }).messages;
    expect(messages).toEqual([{ role: "assistant", content: "echo: the password is swordfish" }, { role: "user", content: "repeat it" }]);
    await expect(other.responses.create({ model, input: [{ type: "item_reference", id: answer }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("stores nothing with store: false; a key without a team, and the admin key, each see only their own", async () => {
    const unstored = await client.responses.create({ model, input: "forget me", store: false }).withResponse();
    expect(storeOf(unstored.data)).toBe(false);
    expect(unstored.response.headers.get("x-liaison-response-stored")).toBe("false");
    await expect(client.responses.retrieve(unstored.data.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const made = await fetch(`${g.gw.url}/admin/keys`, { method: "POST", headers: { authorization: "Bearer gw-admin-responses", "content-type": "application/json" }, body: JSON.stringify({ name: "solo" }) });
    const solo = new OpenAI({ baseURL: g.baseURL, apiKey: String(((await made.json()) as { key: string }).key), maxRetries: 0 });
    const admin = new OpenAI({ baseURL: g.baseURL, apiKey: "gw-admin-responses", maxRetries: 0 });
    const mine = await solo.responses.create({ model, input: "solo's" }).withResponse();
    expect(mine.response.headers.get("x-liaison-response-stored")).toBe("true");
    expect((await solo.responses.retrieve(mine.data.id)).id).toBe(mine.data.id);
    await expect(client.responses.retrieve(mine.data.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(admin.responses.retrieve(mine.data.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const admins = await admin.responses.create({ model, input: "the admin's" });
    expect((await admin.responses.retrieve(admins.id)).id).toBe(admins.id);
    await expect(solo.responses.retrieve(admins.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("refuses what it cannot honour before any upstream call, in OpenAI's error shape", async () => {
    const err = await client.responses.create({ model, input: "x", tools: [{ type: "web_search" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: "invalid_request_error", param: "tools.0.type" });
    await expect(client.responses.create({ model: "nope/none", input: "x", stream: true })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("ends a stream that breaks upstream with response.failed", async () => {
    const fake = g.fakes.get("openai")!;
    fake.setFault({ kind: "drop_mid_stream", afterChunks: 4, times: 1 });
    const stream = await client.responses.create({ model, input: "one two three four five six seven eight", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const last = events.at(-1)!;
    expect(last.type).toBe("response.failed");
    expect(last.type === "response.failed" && last.response.error).toMatchObject({ code: "stream_interrupted" });
    expect(events.filter((e) => e.type === "response.completed")).toHaveLength(0);
  });

  it("logs the calls under /v1/responses", async () => {
    await expect.poll(async () => {
      const res = await fetch(`${g.gw.url}/admin/logs?limit=200`, { headers: { authorization: "Bearer gw-admin-responses" } });
      const body = (await res.json()) as { data: { endpoint: string }[] };
      return body.data.filter((r) => r.endpoint === "/v1/responses").length;
    }).toBeGreaterThanOrEqual(20);
  });
});

describe("POST /v1/responses on a gateway without a store (logging.requests: false)", () => {
  let bare: CliServer;
  let c: OpenAI;
  beforeAll(async () => {
    bare = await startCli({ logging: { level: "warn", requests: false }, providers: { demo: { type: "mock" } } });
    c = new OpenAI({ baseURL: `${bare.url}/v1`, apiKey: "any", maxRetries: 0 });
  });
  afterAll(async () => {
    await bare?.dispose();
  });

  it("answers, says it stored nothing, and refuses what needs stored responses", async () => {
    const res = await c.responses.create({ model: "mock/echo", input: "not kept" }).withResponse();
    expect(res.data.output_text).toBe("not kept");
    expect(storeOf(res.data)).toBe(false);
    expect(res.response.headers.get("x-liaison-response-stored")).toBe("false");
    await expect(c.responses.retrieve(res.data.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const err = await c.responses.create({ model: "mock/echo", input: "x", previous_response_id: res.data.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain("logging.requests");
  });
});
