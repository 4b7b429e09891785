/**
 * Canonical messages → Anthropic `system` + `messages`. Anthropic keeps the
 * system prompt out of the conversation, wants strictly alternating
 * user/assistant turns, and carries tool results as `tool_result` blocks in a
 * user turn, so: system and developer messages are hoisted, tool messages
 * become user blocks, and consecutive turns of the same role are merged.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatMessage, ContentPart } from "../../core/types.js";
import type {
  CacheControl, ContentBlockParam, DocumentBlockParam, ImageBlockParam, MessageParam, TextBlockParam, ToolResultBlockParam,
} from "./wire-types.js";

export interface AnthropicPrompt {
  system?: string | TextBlockParam[];
  messages: MessageParam[];
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("invalid_request", message, { param });
}

/** `cache_control` on a canonical part (a LiteLLM-style extension) is kept, since prompt caching pays. */
function cacheControlOf(part: object): { cache_control?: CacheControl } {
  const cc = (part as { cache_control?: unknown }).cache_control;
  return typeof cc === "object" && cc !== null ? { cache_control: cc as CacheControl } : {};
}

function textBlock(text: string, part?: object): TextBlockParam {
  return { type: "text", text, ...(part ? cacheControlOf(part) : {}) };
}

/** `data:<media type>;base64,<data>` → its pieces; undefined for anything else. */
function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith("data:")) return undefined;
  const comma = url.indexOf(",");
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(";base64")) return undefined;
  return { mediaType: meta.slice(0, -";base64".length), data: url.slice(comma + 1) };
}

function imageBlock(url: string, part: object, param: string): ImageBlockParam {
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url }, ...cacheControlOf(part) };
  const parsed = parseDataUrl(url);
  if (!parsed) throw invalid(`${param}: an image must be an http(s) URL or a base64 data: URL for Anthropic models.`, param);
  return { type: "image", source: { type: "base64", media_type: parsed.mediaType, data: parsed.data }, ...cacheControlOf(part) };
}

/** OpenAI `file` parts with inline `file_data` (PDFs) become document blocks; file ids have no Anthropic equivalent. */
function documentBlock(file: Record<string, unknown>, part: object, param: string): DocumentBlockParam {
  const parsed = typeof file.file_data === "string" ? parseDataUrl(file.file_data) : undefined;
  if (!parsed) throw invalid(`${param}: only inline file_data (a base64 data: URL) is supported for Anthropic models.`, param);
  const title = typeof file.filename === "string" ? { title: file.filename } : {};
  return { type: "document", source: { type: "base64", media_type: parsed.mediaType, data: parsed.data }, ...title, ...cacheControlOf(part) };
}

type InputBlock = TextBlockParam | ImageBlockParam | DocumentBlockParam;

function partBlock(part: ContentPart, param: string): InputBlock | undefined {
  switch (part.type) {
    case "text": return part.text === "" ? undefined : textBlock(part.text, part);
    case "refusal": return part.refusal === "" ? undefined : textBlock(part.refusal);
    case "image_url": return imageBlock(part.image_url.url, part, param);
    case "file": return documentBlock(part.file, part, param);
    default: throw invalid(`${param}: content parts of type '${part.type}' are not supported by Anthropic models.`, param);
  }
}

function contentBlocks(content: ChatMessage["content"], param: string): InputBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [textBlock(content)];
  const out: InputBlock[] = [];
  content.forEach((part, j) => {
    const block = partBlock(part, `${param}[${j}]`);
    if (block) out.push(block);
  });
  return out;
}

function systemBlocks(content: ChatMessage["content"], param: string): TextBlockParam[] {
  return contentBlocks(content, param).map((block) => {
    if (block.type !== "text") throw invalid(`${param}: a system message may only hold text.`, param);
    return block;
  });
}

/** Thinking blocks the adapter returned on an earlier turn (`thinking_blocks`), passed back as Anthropic requires with tools. */
function thinkingBlocks(message: ChatMessage): ContentBlockParam[] {
  const blocks = message.thinking_blocks;
  if (!Array.isArray(blocks)) return [];
  return blocks.filter((b): b is ContentBlockParam => {
    const block = b as { type?: unknown; signature?: unknown } | null;
    // Unsigned thinking (from another provider's reasoning) would be rejected by Anthropic: it is left out.
    return (block?.type === "thinking" && typeof block.signature === "string" && block.signature !== "") || block?.type === "redacted_thinking";
  });
}

function toolUseBlocks(message: ChatMessage, i: number): ContentBlockParam[] {
  return (message.tool_calls ?? []).map((call, j) => {
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    const raw = call.function.arguments.trim();
    let input: unknown;
    try {
      input = raw === "" ? {} : JSON.parse(raw);
    } catch {
      throw invalid(`${param} (message ${i}) is not valid JSON; Anthropic needs tool call arguments as a JSON object.`, param);
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw invalid(`${param} (message ${i}) must be a JSON object for Anthropic models.`, param);
    }
    return { type: "tool_use", id: call.id, name: call.function.name, input };
  });
}

function toolResultBlock(message: ChatMessage, i: number): ToolResultBlockParam {
  const content = typeof message.content === "string" ? message.content : contentBlocks(message.content, `messages[${i}].content`);
  return {
    type: "tool_result",
    tool_use_id: message.tool_call_id ?? "",
    ...(content === undefined || content.length === 0 ? {} : { content }),
  };
}

/** A single plain text block is sent as a string: smaller, and what Anthropic's own examples send. */
function compact(blocks: ContentBlockParam[]): string | ContentBlockParam[] {
  const only = blocks[0];
  return blocks.length === 1 && only?.type === "text" && only.cache_control === undefined ? only.text : blocks;
}

export function toAnthropicPrompt(messages: readonly ChatMessage[]): AnthropicPrompt {
  const system: TextBlockParam[] = [];
  let systemIsOneString = true;
  const turns: { role: "user" | "assistant"; blocks: ContentBlockParam[] }[] = [];
  const add = (role: "user" | "assistant", blocks: ContentBlockParam[]): void => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };

  messages.forEach((message, i) => {
    const param = `messages[${i}].content`;
    switch (message.role) {
      case "system":
      case "developer":
        if (typeof message.content !== "string") systemIsOneString = false;
        system.push(...systemBlocks(message.content, param));
        return;
      case "user":
        return add("user", contentBlocks(message.content, param));
      case "assistant":
        return add("assistant", [...thinkingBlocks(message), ...contentBlocks(message.content, param), ...toolUseBlocks(message, i)]);
      case "tool":
        return add("user", [toolResultBlock(message, i)]);
      default:
        throw invalid(`messages[${i}].role: '${message.role}' messages are not supported by Anthropic models; use tool_calls and tool messages.`, `messages[${i}].role`);
    }
  });

  const out: AnthropicPrompt = { messages: turns.map((t) => ({ role: t.role, content: compact(t.blocks) })) };
  if (system.length === 1 && systemIsOneString) out.system = system[0]!.text;
  else if (system.length > 0) out.system = system;
  return out;
}
