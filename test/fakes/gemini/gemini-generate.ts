/**
 * What the Gemini fake answers to generateContent / streamGenerateContent:
 * "echo: " + the last user text (or `reply`), function calls when tools are
 * declared and the user asks about the weather (or the mode is ANY), a
 * blocked prompt for "BLOCKME", a SAFETY stop mid-answer for "UNSAFE" and an
 * error event mid-stream for "STREAMERROR". JSON mode (responseMimeType
 * application/json) answers `{"echo": …}`, or with responseSchema /
 * responseJsonSchema a value that fits it (schema-value.ts). Usage counts
 * words, like the OpenAI fake; thinking models (2.5 and later) add thought
 * tokens.
 */
import { googleLine, googlePretty, googleSseFrame } from "./gemini-json.js";
import type { FakeBehaviour } from "../_shared/fake-options.js";
import { countWords, limitWords, streamPieces } from "../_shared/prompt-text.js";
import type { Reply } from "../_shared/reply.js";
import { structuredText } from "../_shared/schema-value.js";

type Json = Record<string, unknown>;
type Part = Json;

export type StreamMode = "none" | "sse" | "array";

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function partsOf(content: unknown): Part[] {
  return isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
}

function textOf(parts: Part[]): string {
  return parts.filter((p) => typeof p.text === "string" && p.thought !== true).map((p) => p.text as string).join(" ");
}

export interface GeminiIdSource {
  responseId(): string;
  signature(name: string): string;
}

export function createGeminiIds(): GeminiIdSource {
  let n = 0;
  return {
    // Google's response ids are 20-odd base64url characters, e.g. "qpc2afWVFJK4vr0Pq6WiyAU".
    responseId: () => `FakeRespId${String(++n).padStart(12, "0")}`,
    signature: (name) => Buffer.from(`fake-thought-signature:${name}:${++n}`).toString("base64"),
  };
}

function isThinkingModel(model: string): boolean {
  return /^gemini-(2\.5|[3-9]|\d\d)/.test(model);
}

interface Plan {
  prompt: number;
  thoughts: number;
  thoughtText: string | undefined;
  /** Per candidate: the answer's parts and finish reason. */
  parts: Part[];
  finishReason: string;
  blocked: boolean;
  unsafe: boolean;
  streamError: boolean;
  candidates: number;
  outputTokens: number;
}

const UNSAFE_RATINGS = [
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
];

function locationsIn(text: string): string[] {
  const match = /\bweather\b.*?\b(?:in|for|at)\s+([^?!.]+)/i.exec(text);
  const found = (match?.[1] ?? "").split(/\s+and\s+/i).map((p) => p.trim()).filter((p) => p !== "");
  return found.length > 0 ? found : ["San Francisco"];
}

/** Plausible arguments for a Gemini Schema (upper- or lower-case types). */
function argumentsFor(parameters: unknown, location: string): Json {
  const properties = isObject(parameters) && isObject(parameters.properties) ? parameters.properties : {};
  const args: Json = {};
  for (const [name, schema] of Object.entries(properties)) {
    const spec = isObject(schema) ? schema : {};
    const type = typeof spec.type === "string" ? spec.type.toUpperCase() : "STRING";
    if (Array.isArray(spec.enum) && spec.enum.length > 0) args[name] = spec.enum[0];
    else if (type === "NUMBER" || type === "INTEGER") args[name] = 1;
    else if (type === "BOOLEAN") args[name] = true;
    else if (type === "ARRAY") args[name] = [];
    else if (type === "OBJECT") args[name] = {};
    else args[name] = /loc|city|place|where|region|country/i.test(name) ? location : "fake";
  }
  return Object.keys(properties).length > 0 ? args : { location };
}

function functionCalls(body: Json, lastText: string, lastIsUserText: boolean, model: string, ids: GeminiIdSource): Part[] {
  const declarations = (Array.isArray(body.tools) ? body.tools : [])
    .flatMap((t) => (isObject(t) && Array.isArray(t.functionDeclarations) ? t.functionDeclarations.filter(isObject) : []));
  if (declarations.length === 0 || !lastIsUserText) return [];
  const config = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const mode = typeof config.mode === "string" ? config.mode : "AUTO";
  if (mode === "NONE") return [];
  const allowed = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames : undefined;
  const tool = declarations.find((d) => allowed === undefined || allowed.includes(d.name));
  if (tool === undefined || (mode !== "ANY" && !/\bweather\b/i.test(lastText))) return [];
  const name = String(tool.name);
  return locationsIn(lastText).map((location, i) => ({
    functionCall: { name, args: argumentsFor(tool.parameters, location) },
    // Thinking models sign the first call of a turn; Gemini 3 insists on getting it back.
    ...(i === 0 && isThinkingModel(model) ? { thoughtSignature: ids.signature(name) } : {}),
  }));
}

function plan(body: Json, model: string, behaviour: FakeBehaviour, ids: GeminiIdSource): Plan {
  const contents = Array.isArray(body.contents) ? body.contents.filter(isObject) : [];
  const system = textOf(partsOf(body.systemInstruction ?? body.system_instruction));
  const prompt = countWords(system) + contents.reduce((sum, c) => sum + countWords(textOf(partsOf(c))), 0);
  const last = contents.at(-1);
  const lastParts = partsOf(last);
  const lastText = last?.role === "model" ? "" : textOf(lastParts);
  const result = lastParts.find((p) => isObject(p.functionResponse));
  const generation = isObject(body.generationConfig) ? body.generationConfig : {};
  const thinking = isObject(generation.thinkingConfig) ? generation.thinkingConfig : {};
  const thinks = isThinkingModel(model) && thinking.thinkingBudget !== 0;
  const thoughtText = thinks ? `Thinking about: ${lastText || "the function result"}` : undefined;

  const calls = functionCalls(body, lastText, result === undefined && lastText !== "", model, ids);
  let text = behaviour.reply ?? (result ? `echo: ${JSON.stringify((result.functionResponse as Json).response)}` : `echo: ${lastText}`);
  // JSON mode echoes; a response schema (Gemini's Schema, or plain JSON Schema) gets a value that fits it.
  const schema = generation.responseJsonSchema ?? generation.responseSchema;
  if (generation.responseMimeType === "application/json") text = structuredText(isObject(schema) ? schema : undefined, text);
  const max = typeof generation.maxOutputTokens === "number" ? generation.maxOutputTokens : undefined;
  const limited = limitWords(text, max);
  const parts: Part[] = calls.length > 0 ? calls : [{ text: limited.text }];
  const candidates = typeof generation.candidateCount === "number" && generation.candidateCount > 1 ? generation.candidateCount : 1;
  const outputTokens = calls.length > 0 ? calls.length * 5 : countWords(limited.text);
  return {
    prompt,
    thoughts: thoughtText === undefined ? 0 : countWords(thoughtText),
    thoughtText: thinking.includeThoughts === true ? thoughtText : undefined,
    parts,
    finishReason: limited.truncated ? "MAX_TOKENS" : "STOP",
    blocked: /BLOCKME/.test(lastText),
    unsafe: /UNSAFE/.test(lastText),
    streamError: /STREAMERROR/.test(lastText),
    candidates,
    outputTokens: outputTokens * candidates,
  };
}

function usage(p: Plan, output: number, withThoughts: boolean): Json {
  const thoughts = withThoughts ? p.thoughts : 0;
  return {
    promptTokenCount: p.prompt,
    ...(output > 0 ? { candidatesTokenCount: output } : {}),
    totalTokenCount: p.prompt + output + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: p.prompt }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

function candidate(parts: Part[] | undefined, index: number, finish: Json): Json {
  return { ...(parts ? { content: { parts, role: "model" } } : {}), ...finish, index };
}

/** The whole answer as one GenerateContentResponse. */
function fullResponse(p: Plan, model: string, responseId: string): Json {
  const tail = { modelVersion: model, responseId };
  if (p.blocked) return { promptFeedback: { blockReason: "SAFETY", safetyRatings: UNSAFE_RATINGS }, usageMetadata: usage(p, 0, false), ...tail };
  const thought = p.thoughtText === undefined ? [] : [{ text: p.thoughtText, thought: true }];
  const candidates = Array.from({ length: p.candidates }, (_, i) =>
    p.unsafe
      ? candidate(undefined, i, { finishReason: "SAFETY", safetyRatings: UNSAFE_RATINGS })
      : candidate([...thought, ...p.parts], i, { finishReason: p.finishReason }));
  return { candidates, usageMetadata: usage(p, p.unsafe ? 0 : p.outputTokens, true), ...tail };
}

/** The answer as partial responses, the way streamGenerateContent sends it. */
function streamEvents(p: Plan, model: string, responseId: string, streamChunks: number | undefined): Json[] | { events: Json[]; error: Json } {
  const tail = { modelVersion: model, responseId };
  if (p.blocked) return [fullResponse(p, model, responseId)];
  const event = (parts: Part[] | undefined, finish: Json, output: number): Json => ({
    candidates: Array.from({ length: p.candidates }, (_, i) => candidate(parts, i, finish)),
    usageMetadata: usage(p, output, true),
    ...tail,
  });
  const events: Json[] = [];
  const text = p.parts.length === 1 && typeof p.parts[0]?.text === "string" ? (p.parts[0].text as string) : undefined;
  if (p.thoughtText !== undefined) events.push(event([{ text: p.thoughtText, thought: true }], {}, 0));
  if (text === undefined) {
    // Function calls arrive whole, in one event that also finishes the turn.
    events.push(event(p.parts, { finishReason: "STOP", finishMessage: "Model generated function call(s)." }, p.outputTokens));
    return events;
  }
  const pieces = streamPieces(text, streamChunks);
  const broken = p.unsafe || p.streamError;
  // A stream that goes wrong does so after (at most) two pieces of text.
  const count = broken ? Math.min(2, pieces.length) : pieces.length;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const piece = pieces[i] as string;
    sent += countWords(piece);
    const finish = !broken && i === count - 1 ? { finishReason: p.finishReason } : {};
    events.push(event([{ text: piece }], finish, sent * p.candidates));
  }
  if (p.unsafe) events.push(event(undefined, { finishReason: "SAFETY", safetyRatings: UNSAFE_RATINGS }, sent * p.candidates));
  if (p.streamError) return { events, error: { error: { code: 500, message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", status: "INTERNAL" } } };
  return events;
}

export function generateReply(body: Json, model: string, mode: StreamMode, behaviour: FakeBehaviour, ids: GeminiIdSource): Reply {
  const p = plan(body, model, behaviour, ids);
  const responseId = ids.responseId();
  if (mode === "none") {
    return { type: "json", status: 200, headers: { "content-type": "application/json; charset=UTF-8" }, body: googlePretty(fullResponse(p, model, responseId)) };
  }
  const result = streamEvents(p, model, responseId, behaviour.streamChunks);
  const events = Array.isArray(result) ? result : [...result.events, result.error];
  if (mode === "array") {
    // Without alt=sse the stream is one JSON array, written as the events come.
    return { type: "json", status: 200, headers: { "content-type": "application/json; charset=UTF-8" }, body: `[${events.map(googleLine).join(",\r\n")}]` };
  }
  return { type: "sse", status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache" }, frames: events.map(googleSseFrame) };
}
