/**
 * The Bedrock fake's "model": checks a Converse request the way Bedrock
 * does (the ValidationExceptions a client can provoke), then plans an answer
 * (reasoning, text, tool use) and renders it as a Converse JSON body or as
 * ConverseStream event frames.
 *
 * Answers: "echo: " + the last user turn's text (or `reply`); tool use when
 * the request has tools and the last user text says "weather" (or toolChoice
 * forces it: `any` / `tool`); reasoning first when a Claude model gets
 * additionalModelRequestFields.thinking {type: "enabled"}. Tokens are words.
 */
import type { FakeBedrockModel } from "./bedrock-models.js";
import { eventFrame, exceptionFrame, sortedKeys } from "./bedrock-event-stream.js";
import { countWords, limitWords, streamPieces, type ChatMessageView } from "../_shared/prompt-text.js";
import { argumentPieces, planToolCalls, toolCallTokens, type PlannedToolCall } from "../_shared/tool-calls.js";

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const IMAGE_FORMATS = new Set(["png", "jpeg", "gif", "webp"]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type PlannedBlock =
  | { kind: "reasoning"; text: string; signature: string }
  | { kind: "text"; text: string }
  | { kind: "toolUse"; call: PlannedToolCall };

export interface ConversePlan {
  blocks: PlannedBlock[];
  stopReason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
}

/** The first thing Bedrock would refuse in this request, as its message; undefined when it is acceptable. */
export function validateConverse(body: Json, model: FakeBedrockModel, stream: boolean): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  const toolConfig = body.toolConfig;
  if (body.system !== undefined) {
    if (!Array.isArray(body.system)) return "The system field must be a list of content blocks.";
    if (!model.systemPrompt) return "This model doesn't support system messages. Try again without system messages.";
  }
  let previous = "";
  let previousToolUseIds = new Set<string>();
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || (message.role !== "user" && message.role !== "assistant")) return `messages.${i}.role must be user or assistant.`;
    if (i === 0 && message.role !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (message.role === previous) return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    previous = message.role;
    if (!Array.isArray(message.content) || message.content.length === 0) return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    const toolUseIds = new Set<string>();
    for (const [j, block] of message.content.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (!isRecord(block)) return `The ContentBlock at ${at} is not an object.`;
      if ("text" in block && (typeof block.text !== "string" || block.text.trim() === "")) return `The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`;
      if ("image" in block) {
        if (!model.vision) return "This model doesn't support the image content block that you provided. Try again with a supported content block.";
        const image = block.image;
        const bytes = isRecord(image) && isRecord(image.source) ? image.source.bytes : undefined;
        if (!isRecord(image) || !IMAGE_FORMATS.has(String(image.format)) || typeof bytes !== "string" || !BASE64.test(bytes)) return `The image block at ${at} needs a format (png, jpeg, gif, webp) and base64 source.bytes.`;
      }
      if ("toolUse" in block || "toolResult" in block) {
        if (!isRecord(toolConfig)) return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
      }
      if (isRecord(block.toolUse)) {
        if (message.role !== "assistant") return `toolUse at ${at} must be in an assistant message.`;
        if (!isRecord(block.toolUse.input)) return `The toolUse input at ${at} must be a JSON object.`;
        toolUseIds.add(String(block.toolUse.toolUseId));
      }
      if (isRecord(block.toolResult) && !previousToolUseIds.has(String(block.toolResult.toolUseId))) {
        return `The toolResult blocks at messages.${i}.content do not match the toolUse blocks of the previous turn.`;
      }
    }
    previousToolUseIds = toolUseIds;
  }
  if (isRecord(toolConfig)) {
    if (!model.tools) return "This model doesn't support tool use.";
    if (!Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0) return "The toolConfig.tools field must contain at least one tool.";
    const choice = toolConfig.toolChoice;
    if (isRecord(choice) && !model.forcedToolChoice) {
      const kind = "any" in choice ? "any" : "tool" in choice ? "tool" : undefined;
      if (kind) return `This model doesn't support the toolConfig.toolChoice.${kind} field. Remove toolConfig.toolChoice.${kind} and try again.`;
    }
    if (stream && !model.streamingToolUse) return "This model doesn't support tool use in streaming mode.";
  }
  const inference = body.inferenceConfig;
  if (isRecord(inference) && inference.maxTokens !== undefined && !(Number.isInteger(inference.maxTokens) && Number(inference.maxTokens) >= 1)) {
    return "The maximum tokens you requested exceeds the model limit or is below 1.";
  }
  return undefined;
}

function blockText(block: unknown): string {
  if (!isRecord(block)) return "";
  if (typeof block.text === "string") return block.text;
  if (isRecord(block.toolResult) && Array.isArray(block.toolResult.content)) {
    return block.toolResult.content.map((c) => (isRecord(c) ? (typeof c.text === "string" ? c.text : JSON.stringify(c.json)) : "")).join(" ");
  }
  return "";
}

function views(body: Json): ChatMessageView[] {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.map((m: unknown) => {
    const role = isRecord(m) && typeof m.role === "string" ? m.role : "";
    const content = isRecord(m) && Array.isArray(m.content) ? m.content : [];
    return { role, text: content.map(blockText).filter((t) => t !== "").join(" ") };
  });
}

/** The toolConfig in the OpenAI shape the shared planner reads. */
function openaiTools(toolConfig: unknown): Json {
  if (!isRecord(toolConfig) || !Array.isArray(toolConfig.tools)) return {};
  const tools = toolConfig.tools.filter(isRecord).map((t) => {
    const spec = isRecord(t.toolSpec) ? t.toolSpec : {};
    const schema = isRecord(spec.inputSchema) ? spec.inputSchema.json : undefined;
    return { type: "function", function: { name: spec.name, parameters: schema } };
  });
  const choice = toolConfig.toolChoice;
  const tool_choice = isRecord(choice) ? ("any" in choice ? "required" : isRecord(choice.tool) ? { type: "function", function: { name: choice.tool.name } } : "auto") : "auto";
  return { tools, tool_choice };
}

export function planConverse(body: Json, model: FakeBedrockModel, reply: string | undefined, nextToolUseId: () => string): ConversePlan {
  const turns = views(body);
  const systemText = Array.isArray(body.system) ? body.system.map(blockText).join(" ") : "";
  const inputTokens = countWords(systemText) + turns.reduce((sum, t) => sum + countWords(t.text), 0);
  const lastUser = [...turns].reverse().find((t) => t.role === "user")?.text ?? "";
  const blocks: PlannedBlock[] = [];

  const extra = isRecord(body.additionalModelRequestFields) ? body.additionalModelRequestFields : {};
  if (model.reasoning && isRecord(extra.thinking) && extra.thinking.type === "enabled") {
    blocks.push({ kind: "reasoning", text: `The user said: ${lastUser}`, signature: "ErUBCkYIBRgCIkDfakeSignature" });
  }
  // After a tool result the model answers in text: it never calls again in a loop.
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last: unknown = messages[messages.length - 1];
  const answersToolResult = isRecord(last) && Array.isArray(last.content) && last.content.some((b) => isRecord(b) && "toolResult" in b);
  const calls = answersToolResult ? [] : planToolCalls(openaiTools(body.toolConfig), turns, { toolCall: nextToolUseId, chatCompletion: () => "", textCompletion: () => "" });
  let stopReason: ConversePlan["stopReason"] = "end_turn";
  if (calls.length > 0) {
    blocks.push(...calls.map((call) => ({ kind: "toolUse" as const, call })));
    stopReason = "tool_use";
  } else {
    let text = reply ?? `echo: ${lastUser}`;
    const inference = isRecord(body.inferenceConfig) ? body.inferenceConfig : {};
    const stops = Array.isArray(inference.stopSequences) ? inference.stopSequences.filter((s): s is string => typeof s === "string" && s !== "") : [];
    const cut = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0).sort((a, b) => a - b)[0];
    if (cut !== undefined) {
      text = text.slice(0, cut);
      stopReason = "stop_sequence";
    }
    const limited = limitWords(text, typeof inference.maxTokens === "number" ? inference.maxTokens : undefined);
    if (limited.truncated) stopReason = "max_tokens";
    if (limited.text !== "") blocks.push({ kind: "text", text: limited.text });
  }
  const outputTokens = blocks.reduce((sum, b) => sum + (b.kind === "toolUse" ? 0 : countWords(b.text)), 0) + toolCallTokens(calls);
  return { blocks, stopReason, usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } };
}

/** The Converse response body. */
export function converseBody(plan: ConversePlan, latencyMs: number): Json {
  const content = plan.blocks.map((b) => {
    if (b.kind === "reasoning") return { reasoningContent: { reasoningText: { signature: b.signature, text: b.text } } };
    if (b.kind === "text") return { text: b.text };
    return { toolUse: { input: JSON.parse(b.call.arguments) as unknown, name: b.call.name, toolUseId: b.call.id } };
  });
  return sortedKeys({
    metrics: { latencyMs },
    output: { message: { content, role: "assistant" } },
    stopReason: plan.stopReason,
    usage: plan.usage,
  });
}

export interface StreamException {
  /** throttlingException, modelStreamErrorException, internalServerException, serviceUnavailableException, validationException. */
  exception: string;
  /** Events sent before the exception frame. */
  afterEvents: number;
  message?: string;
}

/** ConverseStream frames for a plan; with `exception`, the stream ends with that exception frame after N events. */
export function converseStreamFrames(plan: ConversePlan, latencyMs: number, chunks: number | undefined, exception?: StreamException): Buffer[] {
  const frames: Buffer[] = [eventFrame("messageStart", { role: "assistant" })];
  plan.blocks.forEach((b, contentBlockIndex) => {
    if (b.kind === "toolUse") {
      frames.push(eventFrame("contentBlockStart", { contentBlockIndex, start: { toolUse: { name: b.call.name, toolUseId: b.call.id } } }));
      // A few words of JSON per delta, as Bedrock streams tool input.
      const pieces = argumentPieces(b.call.arguments);
      for (let i = 0; i < pieces.length; i += 3) {
        frames.push(eventFrame("contentBlockDelta", { contentBlockIndex, delta: { toolUse: { input: pieces.slice(i, i + 3).join("") } } }));
      }
    } else if (b.kind === "reasoning") {
      for (const piece of streamPieces(b.text, chunks)) {
        frames.push(eventFrame("contentBlockDelta", { contentBlockIndex, delta: { reasoningContent: { text: piece } } }));
      }
      frames.push(eventFrame("contentBlockDelta", { contentBlockIndex, delta: { reasoningContent: { signature: b.signature } } }));
    } else {
      for (const piece of streamPieces(b.text, chunks)) frames.push(eventFrame("contentBlockDelta", { contentBlockIndex, delta: { text: piece } }));
    }
    frames.push(eventFrame("contentBlockStop", { contentBlockIndex }));
  });
  frames.push(eventFrame("messageStop", { stopReason: plan.stopReason }));
  frames.push(eventFrame("metadata", { metrics: { latencyMs }, usage: plan.usage }));
  if (exception === undefined) return frames;
  const sent = frames.slice(0, Math.min(exception.afterEvents, frames.length));
  return [...sent, exceptionFrame(exception.exception, exception.message ?? defaultExceptionMessage(exception.exception))];
}

function defaultExceptionMessage(exception: string): string {
  switch (exception) {
    case "throttlingException":
      return "Too many requests, please wait before trying again.";
    case "modelStreamErrorException":
      return "The model stream encountered an error. Retry your request.";
    case "serviceUnavailableException":
      return "Bedrock is unable to process your request.";
    case "validationException":
      return "Input is too long for requested model.";
    default:
      return "The system encountered an unexpected error during processing. Try your request again.";
  }
}
