/**
 * Structured output in the fakes, through the official clients where there
 * is one: OpenAI's response_format (json_schema, json_object), Anthropic's
 * output_config.format and its tool-based variant (a forced tool whose input
 * is the answer, as @ai-sdk/anthropic sends for older models), Anthropic's
 * count_tokens, and Gemini's responseSchema. Each answer must fit its schema.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startAnthropicFake, startGeminiFake, startOpenAIFake, type AnthropicFakeServer, type FakeServer } from "./index.js";

const Person = z.object({ name: z.string(), age: z.number().int().min(18), tags: z.array(z.enum(["a", "b"])).min(1), nick: z.string().optional() });
const PERSON_SCHEMA = z.toJSONSchema(Person) as Record<string, unknown>;

let openaiFake: FakeServer;
let anthropicFake: AnthropicFakeServer;
let geminiFake: FakeServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  [openaiFake, anthropicFake, geminiFake] = await Promise.all([startOpenAIFake(), startAnthropicFake({ apiKey: "k" }), startGeminiFake()]);
  openai = new OpenAI({ baseURL: openaiFake.url, apiKey: "sk", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: anthropicFake.url, apiKey: "k", maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([openaiFake?.close(), anthropicFake?.close(), geminiFake?.close()]);
});

describe("OpenAI fake", () => {
  const format = { type: "json_schema" as const, json_schema: { name: "person", schema: PERSON_SCHEMA } };

  it("answers JSON that fits response_format's schema, streamed too", async () => {
    const res = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "invent someone" }], response_format: format });
    expect(Person.parse(JSON.parse(res.choices[0]!.message.content!))).toEqual({ name: "fake", age: 18, tags: ["a"] });
    const stream = await openai.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "invent someone" }], response_format: format });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(Person.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it("answers a JSON object in JSON mode, and wants a name for a json_schema", async () => {
    const res = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_object" } });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ echo: "hi" });
    const err = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_schema", json_schema: { schema: {} } } as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("response_format.json_schema.name");
  });
});

describe("Anthropic fake", () => {
  const ask = { model: "claude-sonnet-4-6", max_tokens: 200, messages: [{ role: "user" as const, content: "invent someone" }] };

  it("answers output_config.format with JSON text that fits the schema, streamed too", async () => {
    const msg = await anthropic.messages.create({ ...ask, output_config: { format: { type: "json_schema", schema: PERSON_SCHEMA } } });
    const block = msg.content[0] as Anthropic.TextBlock;
    expect(Person.safeParse(JSON.parse(block.text)).success).toBe(true);
    const streamed = await anthropic.messages.stream({ ...ask, output_config: { format: { type: "json_schema", schema: PERSON_SCHEMA } } }).finalMessage();
    expect(Person.safeParse(JSON.parse((streamed.content[0] as Anthropic.TextBlock).text)).success).toBe(true);
  });

  it("fills a forced tool's input to fit its schema (tool-based structured output)", async () => {
    const msg = await anthropic.messages.create({
      ...ask,
      tools: [{ name: "json", description: "Respond with a JSON object.", input_schema: PERSON_SCHEMA as Anthropic.Tool.InputSchema }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    });
    const uses = msg.content.filter((b) => b.type === "tool_use");
    expect(uses).toHaveLength(1);
    expect(Person.safeParse((uses[0] as Anthropic.ToolUseBlock).input).success).toBe(true);
  });

  it("refuses a malformed output_config as the API does", async () => {
    const err = await anthropic.messages.create({ ...ask, output_config: { format: { type: "xml" } } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain("output_config.format.type");
  });

  it("counts tokens: the input_tokens the same request reports in usage", async () => {
    const count = await anthropic.messages.countTokens({ model: ask.model, system: "be brief", messages: ask.messages });
    const msg = await anthropic.messages.create({ ...ask, system: "be brief" });
    expect(count).toEqual({ input_tokens: msg.usage.input_tokens });
    expect(count.input_tokens).toBe(4);
    await expect(anthropic.messages.countTokens({ model: "nope", messages: ask.messages })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(anthropic.messages.countTokens({ ...ask } as never)).rejects.toThrow(/max_tokens: Extra inputs are not permitted/);
  });
});

describe("Gemini fake", () => {
  it("answers responseSchema (Gemini's Schema) and responseJsonSchema with a value that fits", async () => {
    const post = async (generationConfig: object) => {
      const res = await fetch(`${geminiFake.url}/v1beta/models/gemini-2.0-flash:generateContent`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }], generationConfig }),
      });
      const body = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
      return JSON.parse(body.candidates[0]!.content.parts[0]!.text) as unknown;
    };
    const geminiSchema = { type: "OBJECT", properties: { n: { type: "INTEGER", minimum: 3 }, s: { type: "STRING" } }, required: ["n", "s"] };
    expect(await post({ responseMimeType: "application/json", responseSchema: geminiSchema })).toEqual({ n: 3, s: "fake" });
    expect(Person.safeParse(await post({ responseMimeType: "application/json", responseJsonSchema: PERSON_SCHEMA })).success).toBe(true);
  });
});
