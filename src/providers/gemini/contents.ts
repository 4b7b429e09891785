/**
 * Canonical messages → Gemini `systemInstruction` + `contents`.
 *
 * Gemini has two roles ("user", "model") that should alternate, one system
 * instruction, function results as user-role `functionResponse` parts that
 * name the function (not a call id), and media as inline bytes or file URIs.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatMessage, ContentPart, ToolCall } from "../../core/types.js";
import { SKIP_SIGNATURE, thoughtSignatureOf, upstreamCallId } from "./tool-call-ids.js";
import type { GeminiContent, GeminiPart } from "./wire-types.js";

export interface GeminiConversation {
  /** Text of every system/developer message, in order. */
  system: GeminiPart[];
  contents: GeminiContent[];
}

/** MIME types by file extension, for http(s) media URLs (Gemini wants one; image/jpeg when unknown). */
const MIME_BY_EXTENSION: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif",
  heic: "image/heic", heif: "image/heif", pdf: "application/pdf",
  mp3: "audio/mp3", wav: "audio/wav", mp4: "video/mp4", mov: "video/mov", webm: "video/webm",
};
const AUDIO_MIME: Record<string, string> = { wav: "audio/wav", mp3: "audio/mp3", flac: "audio/flac", ogg: "audio/ogg", aac: "audio/aac" };

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("invalid_request", message, { param });
}

/** `data:[mime][;base64],payload` → inlineData; non-base64 payloads are re-encoded. */
function dataUrlPart(url: string, param: string): GeminiPart {
  const comma = url.indexOf(",");
  const header = comma === -1 ? "" : url.slice("data:".length, comma);
  if (comma === -1) throw invalid("A data: URL without a ',' separator cannot be read.", param);
  const [mime, ...flags] = header.split(";");
  const payload = url.slice(comma + 1);
  let data: string;
  try {
    data = flags.includes("base64") ? payload : Buffer.from(decodeURIComponent(payload), "utf8").toString("base64");
  } catch {
    throw invalid("A data: URL's payload is not valid percent-encoding.", param);
  }
  return { inlineData: { mimeType: mime || "application/octet-stream", data } };
}

function mimeFromUrl(url: string, param: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw invalid("The media URL is not a valid URL.", param);
  }
  const dot = path.lastIndexOf(".");
  return (dot === -1 ? undefined : MIME_BY_EXTENSION[path.slice(dot + 1).toLowerCase()]) ?? "image/jpeg";
}

function mediaPart(url: string, param: string): GeminiPart {
  if (url.startsWith("data:")) return dataUrlPart(url, param);
  if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: mimeFromUrl(url, param), fileUri: url } };
  throw invalid("Media URLs must be data: or http(s) URLs for Gemini.", param);
}

function contentPart(part: ContentPart, param: string): GeminiPart | undefined {
  switch (part.type) {
    case "text":
      return part.text === "" ? undefined : { text: part.text };
    case "image_url":
      return mediaPart(part.image_url.url, `${param}.image_url.url`);
    case "input_audio": {
      const mimeType = AUDIO_MIME[part.input_audio.format] ?? `audio/${part.input_audio.format}`;
      return { inlineData: { mimeType, data: part.input_audio.data } };
    }
    case "file": {
      const data = part.file.file_data;
      if (typeof data === "string") return mediaPart(data, `${param}.file.file_data`);
      const id = part.file.file_id;
      // Only files uploaded to Gemini's Files API can be named by reference.
      if (typeof id === "string" && /^https:\/\/generativelanguage\.googleapis\.com\//.test(id)) return { fileData: { fileUri: id } };
      throw new GatewayError("unsupported_operation", "Gemini takes files as file_data (a data: URL) or as a Gemini Files API URI in file_id.", { param });
    }
    case "refusal":
      return undefined;
  }
}

function partsOf(content: ChatMessage["content"], param: string): GeminiPart[] {
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const parts: GeminiPart[] = [];
  content.forEach((part, i) => {
    const mapped = contentPart(part, `${param}[${i}]`);
    if (mapped !== undefined) parts.push(mapped);
  });
  return parts;
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" ? p.text : "")).join("");
}

function functionCallPart(call: ToolCall, param: string): GeminiPart {
  const raw = call.function.arguments.trim();
  let args: unknown = {};
  if (raw !== "") {
    try {
      args = JSON.parse(raw);
    } catch {
      throw invalid(`The arguments of tool call '${call.id}' are not valid JSON.`, `${param}.function.arguments`);
    }
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw invalid(`The arguments of tool call '${call.id}' must be a JSON object for Gemini.`, `${param}.function.arguments`);
  }
  const id = upstreamCallId(call.id);
  return { functionCall: { ...(id ? { id } : {}), name: call.function.name, args: args as Record<string, unknown> } };
}

/** A tool result: a JSON object is sent as the response itself, anything else as `{result: text}`. */
function functionResponsePart(name: string, content: ChatMessage["content"], callId?: string): GeminiPart {
  const text = textOf(content);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const response = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { result: text };
  const id = callId === undefined ? undefined : upstreamCallId(callId);
  return { functionResponse: { ...(id ? { id } : {}), name, response } };
}

/**
 * Converts the messages. `signatures` says whether the model needs a thought
 * signature on the first function call of every model turn (Gemini 3).
 */
export function toConversation(messages: readonly ChatMessage[], signatures: boolean): GeminiConversation {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();

  const push = (role: "user" | "model", parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    // Gemini wants alternating turns: consecutive same-role messages become one content.
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content);
        if (text !== "") system.push({ text });
        return;
      }
      case "user":
        return push("user", partsOf(message.content, `${param}.content`));
      case "assistant": {
        const parts = partsOf(message.content, `${param}.content`).filter((p) => p.text !== undefined);
        const calls = message.tool_calls ?? [];
        calls.forEach((call, j) => {
          callNames.set(call.id, call.function.name);
          const part = functionCallPart(call, `${param}.tool_calls[${j}]`);
          const signature = thoughtSignatureOf(call as ToolCall & Record<string, unknown>) ?? (signatures && j === 0 ? SKIP_SIGNATURE : undefined);
          if (signature !== undefined) part.thoughtSignature = signature;
          parts.push(part);
        });
        return push("model", parts);
      }
      case "tool": {
        const id = message.tool_call_id ?? "";
        const name = callNames.get(id) ?? message.name;
        if (name === undefined) {
          throw invalid(`The tool message's tool_call_id '${id}' matches no earlier assistant tool call, and Gemini needs the function's name.`, `${param}.tool_call_id`);
        }
        return push("user", [functionResponsePart(name, message.content, id)]);
      }
      case "function":
        // The legacy function-calling message names its function itself.
        return push("user", [functionResponsePart(message.name ?? "", message.content)]);
    }
  });
  return { system, contents };
}
