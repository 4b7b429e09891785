/**
 * POST /v1/messages in front of an OpenAI-wire upstream and an Anthropic
 * upstream (the fakes), driven by the clients people use: structured output
 * (`output_config.format`) from the Anthropic SDK's messages.parse,
 * @ai-sdk/anthropic's generateObject (both its output_config and its
 * forced-tool modes) and LangChain's withStructuredOutput; Anthropic-only
 * fields (passed to Anthropic, refused by name elsewhere); input tokens in
 * message_start; count_tokens; the anthropic-* headers; request-id; and an
 * upstream's 404 as Anthropic's not_found_error.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import { ChatAnthropic } from "@langchain/anthropic";
import { generateObject } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startAnthropicFake, startOpenAIFake, type AnthropicFakeServer, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const KEY = "gw-key";
/** Names that @ai-sdk/anthropic knows as structured-output models, so it sends output_config. */
const VIA_OPENAI = "claude-sonnet-4-5-via-openai";
const VIA_ANTHROPIC = "claude-sonnet-4-5-via-anthropic";
const MODELS = [VIA_OPENAI, VIA_ANTHROPIC] as const;

/**
 * Only what every client's schema transform keeps: the SDKs move bounds (and
 * LangChain's older SDK even enums) into descriptions, which a real model
 * reads and a fake cannot; the fakes' own tests cover those keywords.
 */
const Person = z.object({ name: z.string(), age: z.number().int(), tags: z.array(z.string()), address: z.object({ city: z.string() }), nick: z.string().optional() });
/** Two words for the fakes, many more tokens for a tokenizer. */
const PROMPT = { system: "be brief", messages: [{ role: "user" as const, content: "antidisestablishmentarianism supercalifragilisticexpialidocious" }] };

let openai: FakeServer;
let anthropic: AnthropicFakeServer;
let gw: CliServer;
let client: Anthropic;

/** The last request the model's upstream received, and the other fake's request count. */
const upstreamOf = (model: string) => (model === VIA_OPENAI ? openai : anthropic);
const lastBody = (model: string) => upstreamOf(model).requests.at(-1)!.body as Record<string, unknown>;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startOpenAIFake(), startAnthropicFake({ apiKey: "sk-ant-up" })]);
  gw = await startCli({
    admin_key: KEY,
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: {
      up: { type: "openai", base_url: openai.url },
      claude: { type: "anthropic", base_url: anthropic.url, api_key: "sk-ant-up" },
    },
    models: {
      [VIA_OPENAI]: { targets: [{ provider: "up", model: "gpt-4o" }] },
      [VIA_ANTHROPIC]: { targets: [{ provider: "claude", model: "claude-sonnet-4-6" }] },
      ghost: { targets: [{ provider: "up", model: "gpt-ghost" }] },
    },
  });
  client = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await Promise.all([openai?.close(), anthropic?.close()]);
});

const ask = (model: string) => ({ model, max_tokens: 300, messages: [{ role: "user" as const, content: "invent a person" }] });

describe.each(MODELS)("structured output on %s", (model) => {
  it("messages.parse gets an object that fits the schema", async () => {
    const format = zodOutputFormat(Person);
    const msg = await client.messages.parse({ ...ask(model), output_config: { format } });
    expect(Person.safeParse(msg.parsed_output).success).toBe(true);
    const sent = lastBody(model);
    const asSent = JSON.parse(JSON.stringify({ format })) as { format: { schema: unknown } };
    if (model === VIA_OPENAI) {
      expect(sent.response_format).toEqual({ type: "json_schema", json_schema: { name: "structured_output", schema: asSent.format.schema } });
      expect(sent).not.toHaveProperty("output_config");
    } else {
      expect(sent.output_config).toEqual(asSent);
      expect(sent).not.toHaveProperty("tools"); // not turned into a forced tool: sent as the client sent it
    }
  });

  it("a stream's final message parses too", async () => {
    const final = await client.messages.stream({ ...ask(model), output_config: { format: zodOutputFormat(Person) } }).finalMessage();
    expect(Person.safeParse(final.parsed_output).success).toBe(true);
  });

  it("@ai-sdk/anthropic generateObject, through output_config and through its forced json tool", async () => {
    const provider = createAnthropic({ baseURL: `${gw.url}/v1`, apiKey: KEY });
    const native = await generateObject({ model: provider(model), schema: Person, prompt: "invent a person", maxRetries: 0 });
    expect(Person.safeParse(native.object).success).toBe(true);
    expect(upstreamOf(model).requests.at(-1)!.body).toMatchObject(model === VIA_OPENAI ? { response_format: { type: "json_schema" } } : { output_config: { format: { type: "json_schema" } } });
    const viaTool = await generateObject({
      model: provider(model), schema: Person, prompt: "invent a person", maxRetries: 0,
      providerOptions: { anthropic: { structuredOutputMode: "jsonTool" } },
    });
    expect(Person.safeParse(viaTool.object).success).toBe(true);
  });

  it("LangChain withStructuredOutput (jsonSchema)", async () => {
    const chat = new ChatAnthropic({ model, anthropicApiUrl: gw.url, apiKey: KEY, maxRetries: 0, maxTokens: 300 });
    const person = await chat.withStructuredOutput(Person, { method: "jsonSchema" }).invoke("invent a person");
    expect(Person.safeParse(person).success).toBe(true);
  });

  it("message_start reports the input tokens", async () => {
    const starts: number[] = [];
    const stream = client.messages.stream({ model, max_tokens: 50, ...PROMPT });
    // Read at once: the SDK later updates the same message with message_delta's usage.
    stream.on("streamEvent", (e) => { if (e.type === "message_start") starts.push(e.message.usage.input_tokens); });
    await stream.finalMessage();
    expect(starts).toHaveLength(1);
    const input = starts[0]!;
    // The Anthropic fake counts words (2 + 2): the upstream's own count; elsewhere the tokenizer's.
    if (model === VIA_ANTHROPIC) expect(input).toBe(4);
    else expect(input).toBeGreaterThan(4);
  });

  it("messages.countTokens counts with the upstream where it can, else the tokenizer", async () => {
    const { data, response } = await client.messages.countTokens({ model, ...PROMPT }).withResponse();
    if (model === VIA_ANTHROPIC) {
      expect(data).toEqual({ input_tokens: 4 });
      expect(anthropic.requests.at(-1)!.path).toBe("/v1/messages/count_tokens");
      expect(response.headers.get("x-liaison-attempts")).toBe("1");
    } else {
      expect(data.input_tokens).toBeGreaterThan(4);
      expect(response.headers.get("x-liaison-attempts")).toBe("0");
    }
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
  });
});

describe("what only Anthropic understands", () => {
  it("an unmapped field reaches an Anthropic upstream as sent, and is refused by name for others", async () => {
    await client.messages.create({ ...ask(VIA_ANTHROPIC), service_tier: "standard_only", output_config: { effort: "low" } });
    expect(lastBody(VIA_ANTHROPIC)).toMatchObject({ service_tier: "standard_only", output_config: { effort: "low" } });

    const before = openai.requests.length;
    const err = await client.messages.create({ ...ask(VIA_OPENAI), service_tier: "standard_only" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: "invalid_request_error", message: expect.stringMatching(/^service_tier: /) } });
    const effort = await client.messages.create({ ...ask(VIA_OPENAI), output_config: { effort: "low" } }).catch((e: unknown) => e);
    expect((effort as Error).message).toContain("output_config.effort");
    expect(openai.requests.length).toBe(before);
  });

  it("anthropic-beta and anthropic-version reach the Anthropic upstream only", async () => {
    const beta = { headers: { "anthropic-beta": "fancy-feature-2099-01-01", "anthropic-version": "2025-05-05" } };
    await client.messages.create(ask(VIA_ANTHROPIC), beta);
    const headers = anthropic.requests.at(-1)!.headers;
    expect(headers["anthropic-beta"]).toBe("fancy-feature-2099-01-01");
    expect(headers["anthropic-version"]).toBe("2025-05-05"); // the client's, not the configured default (2023-06-01)
    await client.messages.create(ask(VIA_OPENAI), beta);
    expect(openai.requests.at(-1)!.headers).not.toHaveProperty("anthropic-beta");
    expect(openai.requests.at(-1)!.headers).not.toHaveProperty("anthropic-version");
  });
});

describe("SDK details", () => {
  it("sets _request_id from the request-id header", async () => {
    const msg = await client.messages.create(ask(VIA_OPENAI));
    expect(msg._request_id).toMatch(/^req_/);
    const { request_id, response } = await client.messages.create(ask(VIA_OPENAI)).withResponse();
    expect(request_id).toBe(response.headers.get("x-request-id"));
  });

  it("an upstream 404 is Anthropic's not_found_error", async () => {
    const err = await client.messages.create(ask("ghost")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect((err as InstanceType<typeof Anthropic.APIError>).requestID).toBeTruthy();
  });
});
