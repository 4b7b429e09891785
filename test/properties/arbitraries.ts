/**
 * fast-check arbitraries for random, valid canonical chat requests and
 * assistant answers, shared by the per-provider round-trip properties.
 *
 * "Valid" means what every provider accepts: non-blank texts; unique tool
 * names matching [A-Za-z_][A-Za-z0-9_-]* (the intersection of Anthropic's,
 * Gemini's and Bedrock's patterns); unique `call_<alnum>` ids; tool calls that
 * name a declared tool, with JSON-object arguments; one tool message per call
 * right after its assistant turn; sampling values inside every provider's
 * range (temperature and top_p 0..1). Requests are built from a "plan" of
 * indices rather than with fc.chain, so counterexamples shrink well.
 */
import fc from "fast-check";
import type { ChatMessage, ChatRequest, ContentPart, ImagePart, TextPart, ToolCall, ToolDefinition } from "../../src/core/types.js";

/** Which image URLs user messages may hold: Ollama and Bedrock refuse https URLs, so their happy-path properties ask for data: only. */
export type ImageMode = "any" | "data" | "none";

const nonBlank = (s: string): boolean => s.trim() !== "";

/** Hand-picked text that random generation rarely hits: combining marks, ZWJ emoji, flags, CJK, RTL, JSON- and template-like text. */
const SAMPLES = [
  "héllo wörld", "e\u0301 n\u0303 a\u030a", "👩‍👩‍👧‍👦 family", "🇫🇷🇯🇵", "漢字かな交じり文", "한국어 텍스트", "مرحبا بالعالم",
  "line one\nline two\ttab", "\"quoted\" {\"json\": [1, 2]}", "</s><|im_end|>", "  padded  ",
];

export const textArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 24 }),
  fc.constantFrom(...SAMPLES),
  fc.tuple(fc.constantFrom(...SAMPLES), fc.string({ unit: "grapheme", maxLength: 8 })).map(([a, b]) => a + b),
).filter(nonBlank);

const stopArb = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
  fc.constantFrom("\n\n", "END", "</s>", "。", "🛑"),
).filter(nonBlank);

const textPartArb: fc.Arbitrary<TextPart> = textArb.map((text) => ({ type: "text", text }));
const textPartsArb: fc.Arbitrary<TextPart[]> = fc.array(textPartArb, { minLength: 1, maxLength: 3 });

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];

/** A small image as a base64 data: URL: a real magic number, then random bytes. */
export const dataImageUrlArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("png", "jpeg"), fc.uint8Array({ maxLength: 48 }))
  .map(([kind, body]) => {
    const bytes = Buffer.from([...(kind === "png" ? PNG_MAGIC : JPEG_MAGIC), ...body]);
    return `data:image/${kind};base64,${bytes.toString("base64")}`;
  });

/** The extensions appended to https image URLs, and the MIME type each implies. */
export const URL_EXTENSIONS: Readonly<Record<string, string>> = { ".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif" };

export const httpsImageUrlArb: fc.Arbitrary<string> = fc
  .tuple(fc.webUrl({ validSchemes: ["https"] }), fc.constantFrom("", ...Object.keys(URL_EXTENSIONS)))
  .map(([url, ext]) => `${url}${url.endsWith("/") ? "" : "/"}image${ext}`);

function imagePartArb(mode: Exclude<ImageMode, "none">): fc.Arbitrary<ImagePart> {
  const url = mode === "data" ? dataImageUrlArb : fc.oneof(dataImageUrlArb, httpsImageUrlArb);
  return url.map((u) => ({ type: "image_url", image_url: { url: u } }));
}

function userContentArb(mode: ImageMode): fc.Arbitrary<string | ContentPart[]> {
  const part: fc.Arbitrary<ContentPart> = mode === "none"
    ? textPartArb
    : fc.oneof({ weight: 3, arbitrary: textPartArb }, { weight: 1, arbitrary: imagePartArb(mode) });
  return fc.oneof(textArb, fc.array(part, { minLength: 1, maxLength: 4 }));
}

/** JavaScript's own property names: a mapper that builds objects by assignment loses `__proto__`. */
const SPECIAL_KEYS = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

export const toolNameArb: fc.Arbitrary<string> = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,23}$/);
const propertyNameArb = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,11}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
);
const argKeyArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 6, arbitrary: propertyNameArb },
);

/** A small JSON object, as JSON.parse would give it (no -0, an ordinary prototype, `__proto__` an own key). */
export const jsonObjectArb: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(argKeyArb, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
  .map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

export const JSON_SCHEMA_TYPES = ["string", "number", "integer", "boolean", "array", "object"] as const;

const propertySchemaArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ type: fc.constantFrom(...JSON_SCHEMA_TYPES), description: fc.option(textArb, { nil: undefined }), enumerated: fc.boolean() })
  .map(({ type, description, enumerated }) => {
    const schema: Record<string, unknown> = { type };
    if (description !== undefined) schema.description = description;
    if (type === "string" && enumerated) schema.enum = ["a", "b", "c"];
    if (type === "array") schema.items = { type: "string" };
    if (type === "object") schema.properties = { value: { type: "number" } };
    return schema;
  });

/**
 * An object schema with 0–4 typed properties (built with Object.fromEntries,
 * so `__proto__` stays an own key, as JSON.parse leaves it). `required` lists
 * some of them and, now and then, a name with no property: valid JSON Schema,
 * which a mapper must either keep or drop, never invent.
 */
export const parametersArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(propertyNameArb, propertySchemaArb, fc.boolean()), { selector: ([name]) => name, maxLength: 4 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.array(propertyNameArb, { minLength: 1, maxLength: 2 }) }),
  )
  .map(([entries, dangling]) => {
    const schema: Record<string, unknown> = { type: "object", properties: Object.fromEntries(entries.map(([name, s]) => [name, s])) };
    const required = [...new Set([...entries.filter(([, , req]) => req).map(([name]) => name), ...dangling])];
    if (required.length > 0) schema.required = required;
    return schema;
  });

export const toolArb: fc.Arbitrary<ToolDefinition> = fc
  .record({ name: toolNameArb, description: fc.option(textArb, { nil: undefined }), parameters: parametersArb })
  .map(({ name, description, parameters }) => ({
    type: "function",
    function: { name, ...(description === undefined ? {} : { description }), parameters },
  }));

const idSuffixArb = fc.stringMatching(/^[a-zA-Z0-9]{4,12}$/);

/** What a tool returns: prose, a JSON object, or another JSON value as text; now and then as text parts (OpenAI allows both). */
const toolResultArb: fc.Arbitrary<string | TextPart[]> = fc.oneof(
  { weight: 2, arbitrary: textArb },
  { weight: 2, arbitrary: jsonObjectArb.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: textPartsArb },
);

const callPlanArb = fc.record({ idSuffix: idSuffixArb, tool: fc.nat(), args: jsonObjectArb, result: toolResultArb });

/** With calls, an assistant turn may carry its text, or null, or "" (what OpenAI clients send). */
const stepPlanArb = fc.record({
  content: fc.oneof(textArb, textPartsArb),
  calls: fc.array(callPlanArb, { maxLength: 3 }),
  withCalls: fc.constantFrom("keep", "null", "empty"),
});

/**
 * A user message, then 1–3 assistant steps, each step with calls followed by
 * one tool message per call. Two steps without calls in a row make
 * consecutive assistant messages: OpenAI allows them, providers merge them.
 */
const exchangePlanArb = (mode: ImageMode) => fc.record({ user: userContentArb(mode), steps: fc.array(stepPlanArb, { minLength: 1, maxLength: 3 }) });

type ToolChoicePlan = "auto" | "none" | "required" | { named: number };

function requestPlanArb(mode: ImageMode) {
  return fc.record({
    system: fc.array(fc.record({ role: fc.constantFrom("system", "developer"), content: fc.oneof(textArb, textPartsArb) }), { maxLength: 2 }),
    exchanges: fc.array(exchangePlanArb(mode), { minLength: 1, maxLength: 3 }),
    tools: fc.uniqueArray(toolArb, { selector: (t) => t.function.name, maxLength: 3 }),
    params: fc.record(
      {
        toolChoice: fc.oneof(fc.constantFrom<ToolChoicePlan>("auto", "none", "required"), fc.nat().map((n): ToolChoicePlan => ({ named: n }))),
        parallel: fc.boolean(),
        temperature: fc.double({ min: 0, max: 1, noNaN: true }),
        top_p: fc.double({ min: 0, max: 1, noNaN: true }),
        top_k: fc.integer({ min: 1, max: 200 }),
        max_tokens: fc.integer({ min: 1, max: 64_000 }),
        max_completion_tokens: fc.integer({ min: 1, max: 64_000 }),
        stop: fc.oneof({ weight: 4, arbitrary: fc.array(stopArb, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: stopArb }),
        user: fc.stringMatching(/^[a-z0-9-]{1,16}$/),
      },
      { requiredKeys: [] },
    ),
  });
}

type RequestPlan = ReturnType<typeof requestPlanArb> extends fc.Arbitrary<infer T> ? T : never;

function uniqueId(seen: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; seen.has(id); n++) id = `${base}${n}`;
  seen.add(id);
  return id;
}

function buildRequest(plan: RequestPlan): ChatRequest {
  const { tools, params } = plan;
  const messages: ChatMessage[] = [];
  for (const system of plan.system) messages.push({ role: system.role, content: system.content });
  const ids = new Set<string>();
  for (const exchange of plan.exchanges) {
    messages.push({ role: "user", content: exchange.user });
    for (const step of exchange.steps) {
      const calls = tools.length === 0 ? [] : step.calls;
      const toolCalls = calls.map((c): ToolCall => ({
        id: uniqueId(ids, `call_${c.idSuffix}`),
        type: "function",
        function: { name: tools[c.tool % tools.length]!.function.name, arguments: JSON.stringify(c.args) },
      }));
      const content = toolCalls.length === 0 || step.withCalls === "keep" ? step.content : step.withCalls === "null" ? null : "";
      messages.push(toolCalls.length > 0 ? { role: "assistant", content, tool_calls: toolCalls } : { role: "assistant", content });
      toolCalls.forEach((call, k) => messages.push({ role: "tool", tool_call_id: call.id, content: calls[k]!.result }));
    }
  }

  const request: ChatRequest = { model: "placeholder", messages };
  if (tools.length > 0) {
    request.tools = tools;
    const choice = params.toolChoice;
    if (choice !== undefined) {
      request.tool_choice = typeof choice === "string" ? choice : { type: "function", function: { name: tools[choice.named % tools.length]!.function.name } };
    }
    if (params.parallel !== undefined) request.parallel_tool_calls = params.parallel;
  }
  if (params.temperature !== undefined) request.temperature = params.temperature;
  if (params.top_p !== undefined) request.top_p = params.top_p;
  if (params.top_k !== undefined) request.top_k = params.top_k;
  if (params.max_tokens !== undefined) request.max_tokens = params.max_tokens;
  if (params.max_completion_tokens !== undefined) request.max_completion_tokens = params.max_completion_tokens;
  if (params.stop !== undefined) request.stop = params.stop;
  if (params.user !== undefined) request.user = params.user;
  return request;
}

/** A random valid canonical chat request for `model`. */
export function requestArb(model: string | fc.Arbitrary<string>, images: ImageMode = "any"): fc.Arbitrary<ChatRequest> {
  const models = typeof model === "string" ? fc.constant(model) : model;
  return fc.tuple(requestPlanArb(images), models).map(([plan, m]) => ({ ...buildRequest(plan), model: m }));
}

/** One tool call of an answer, with its arguments as an object (the wire form of most providers). */
export interface AnswerCall { id: string; name: string; args: Record<string, unknown> }

/** What a model says in one turn: text pieces (in order) and tool calls. */
export interface Answer { texts: string[]; calls: AnswerCall[] }

export const answerArb: fc.Arbitrary<Answer> = fc
  .record({
    texts: fc.array(textArb, { maxLength: 3 }),
    calls: fc.array(fc.record({ idSuffix: idSuffixArb, name: toolNameArb, args: jsonObjectArb }), { maxLength: 3 }),
  })
  .filter((a) => a.texts.length + a.calls.length > 0)
  .map(({ texts, calls }) => {
    const ids = new Set<string>();
    return { texts, calls: calls.map((c) => ({ id: uniqueId(ids, `call_${c.idSuffix}`), name: c.name, args: c.args })) };
  });
