/**
 * Canonical messages → Converse `system` and `messages`. Converse wants
 * strictly alternating user/assistant turns, tool results inside a user turn
 * and images as bytes; OpenAI allows consecutive same-role messages, a
 * `tool` role and image URLs. The differences are bridged here.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatMessage, ContentPart } from "../../core/types.js";
import { FAMILY_NAMES, type FamilyQuirks } from "./model-family.js";
import type { ImageFormat, ToolResultContent, WireContentBlock, WireMessage } from "./wire-types.js";

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("invalid_request", message, { param });
}

/** A data: URL → Converse image block. Bedrock takes bytes (or S3), never a URL it would fetch. */
function imageBlock(url: string, param: string): WireContentBlock {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (match === null) {
    throw invalid(
      "Bedrock needs image bytes: it does not fetch image URLs. Send the image inline as a data: URL (data:image/png;base64,...).",
      param,
    );
  }
  const mime = (match[1] ?? "").toLowerCase();
  const format = IMAGE_FORMATS[mime];
  if (format === undefined) throw invalid(`Bedrock accepts png, jpeg, gif and webp images, not '${mime}'.`, param);
  const isBase64 = (match[2] ?? "").split(";").includes("base64");
  const data = match[3] ?? "";
  // Converse's JSON carries bytes as base64; a percent-encoded data: URL is re-encoded.
  let bytes: string;
  try {
    bytes = isBase64 ? data.replace(/\s+/g, "") : Buffer.from(decodeURIComponent(data), "utf8").toString("base64");
  } catch {
    throw invalid("The image data: URL's payload is not valid percent-encoding.", param);
  }
  if (bytes === "") throw invalid("The image data: URL is empty.", param);
  return { image: { format, source: { bytes } } };
}

function contentBlocks(content: ChatMessage["content"], quirks: FamilyQuirks, model: string, param: string): WireContentBlock[] {
  if (content === undefined || content === null) return [];
  // Bedrock rejects blank text blocks, so empty strings are left out.
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  const out: WireContentBlock[] = [];
  content.forEach((part: ContentPart, j) => {
    const at = `${param}[${j}]`;
    if (part.type === "text") {
      if (part.text !== "") out.push({ text: part.text });
    } else if (part.type === "image_url") {
      if (!quirks.vision) throw invalid(`Bedrock model '${model}' (${FAMILY_NAMES[quirks.family]}) does not accept images.`, at);
      out.push(imageBlock(part.image_url.url, `${at}.image_url.url`));
    } else if (part.type === "refusal") {
      if (part.refusal !== "") out.push({ text: part.refusal });
    } else {
      throw invalid(`The Bedrock provider does not support '${part.type}' content parts (text and image_url only).`, at);
    }
  });
  return out;
}

/** Plain text of a system/developer/tool message (text parts joined). */
function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** A tool's output: a JSON object becomes a `json` block (the model sees structure), anything else `text`. */
function toolResultContent(text: string): ToolResultContent[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) return [{ json: value }];
    } catch {
      // Not JSON after all: sent as text.
    }
  }
  return [{ text: text === "" ? "(empty)" : text }];
}

function toolUseInput(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw invalid("Tool call arguments must be a JSON object (Bedrock sends tool input as an object).", param);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("Tool call arguments must be a JSON object (Bedrock sends tool input as an object).", param);
  }
  return value as Record<string, unknown>;
}

export interface ConverseMessages {
  system: { text: string }[];
  messages: WireMessage[];
}

export function toConverseMessages(messages: ChatMessage[], quirks: FamilyQuirks, model: string): ConverseMessages {
  const system: { text: string }[] = [];
  const out: WireMessage[] = [];
  // Consecutive same-role turns are merged: Converse requires alternation.
  const append = (role: WireMessage["role"], blocks: WireContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };

  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = textOf(m.content);
        if (text !== "") system.push({ text });
        return;
      }
      case "user":
        return append("user", contentBlocks(m.content, quirks, model, `${param}.content`));
      case "assistant": {
        const blocks = contentBlocks(m.content, quirks, model, `${param}.content`);
        (m.tool_calls ?? []).forEach((call, k) => {
          blocks.push({
            toolUse: { toolUseId: call.id, name: call.function.name, input: toolUseInput(call.function.arguments, `${param}.tool_calls[${k}].function.arguments`) },
          });
        });
        return append("assistant", blocks);
      }
      case "tool":
        return append("user", [{ toolResult: { toolUseId: m.tool_call_id ?? "", content: toolResultContent(textOf(m.content)) } }]);
      default:
        throw invalid("The legacy 'function' role is not supported by the Bedrock provider; use tools and 'tool' messages.", `${param}.role`);
    }
  });

  if (!quirks.systemPrompt && system.length > 0) {
    // Models without system prompts get the instructions at the head of the first user turn.
    const first = out.find((m) => m.role === "user");
    const lead = { text: system.map((s) => s.text).join("\n\n") };
    if (first) first.content.unshift(lead);
    else out.unshift({ role: "user", content: [lead] });
    return { system: [], messages: out };
  }
  return { system, messages: out };
}
