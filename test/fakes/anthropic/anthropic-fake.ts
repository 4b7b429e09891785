/**
 * A fake api.anthropic.com: POST /v1/messages, non-stream and stream, with
 * Anthropic's checks (x-api-key, anthropic-version, required max_tokens,
 * unknown model, unknown top-level fields, temperature range, thinking
 * budget, tool_use answered by tool_result in the next turn, output_config),
 * structured output (output_config.format: JSON that fits the schema),
 * POST /v1/messages/count_tokens, errors and rate-limit headers. Faults come from faults.ts like every fake; on top, an
 * `error` event mid-stream (Anthropic's overloaded_error) is injected with
 * setStreamError() or, per request, the `x-fake-stream-error` header
 * (`{"afterEvents":N,"type"?,"message"?}`).
 *
 *   const fake = await startAnthropicFake({ apiKey: "sk-ant-test" });
 *   const client = new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-test", maxRetries: 0 });
 */
import { anthropicDialect, anthropicErrors } from "./anthropic-dialect.js";
import { countTokensReply } from "./anthropic-count-tokens.js";
import { outputConfigError, planMessage, type CacheTokens } from "./anthropic-messages.js";
import { messageBody, streamFrames, type StreamError } from "./anthropic-wire.js";
import type { IdSource } from "../_shared/fake-ids.js";
import { resolveBehaviour, type FakeOptions } from "../_shared/fake-options.js";
import { bodyObject, type FakeRequest } from "../_shared/fake-request.js";
import { startFakeServer, type FakeServer } from "../_shared/fake-server.js";
import { jsonReply, type Reply } from "../_shared/reply.js";

export const STREAM_ERROR_HEADER = "x-fake-stream-error";

export const DEFAULT_ANTHROPIC_MODELS: readonly string[] = [
  "claude-sonnet-4-6",
  "claude-opus-4-6",
  "claude-sonnet-4-5",
  "claude-sonnet-4-5-20250929",
  "claude-opus-4-1",
  "claude-haiku-4-5",
  "claude-3-7-sonnet-20250219",
  "claude-3-5-haiku-20241022",
  "claude-3-haiku-20240307",
];

export interface AnthropicFakeOptions extends Omit<FakeOptions, "fast"> {
  /** Cache counters every answer reports (cache_read_input_tokens, cache_creation_input_tokens). */
  cacheTokens?: CacheTokens;
}

export interface AnthropicFakeServer extends FakeServer {
  /** Streams send an `error` event after N events (and end); null clears it. */
  setStreamError(error: StreamError | null): void;
}

/** Top-level request fields the Messages API accepts; anything else is a 400, as upstream. */
const KNOWN_FIELDS = new Set([
  "model", "messages", "max_tokens", "system", "stop_sequences", "stream", "temperature", "top_p", "top_k",
  "tools", "tool_choice", "metadata", "thinking", "service_tier", "container", "mcp_servers", "output_config",
  "context_management", "inference_geo", "cache_control", "speed", "output_format",
]);

function createIds(): IdSource & { message(): string } {
  let counter = 0;
  const next = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(20, "0")}`;
  return {
    chatCompletion: () => next("msg_01FAKE"),
    textCompletion: () => next("msg_01FAKE"),
    toolCall: () => next("toolu_01FAKE"),
    message: () => next("msg_01FAKE"),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKey(request: FakeRequest, apiKey: string | undefined): Reply | undefined {
  if (apiKey === undefined) return undefined;
  const header = request.headers["x-api-key"];
  const key = (Array.isArray(header) ? header[0] : header) ?? /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (key === undefined || key === "") return anthropicErrors.missingApiKey();
  return key === apiKey ? undefined : anthropicErrors.invalidApiKey();
}

/** Every tool_use must be answered by a tool_result in the very next (user) turn, as the API insists. */
function checkToolResults(messages: unknown[]): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isRecord(m) || m.role !== "assistant" || !Array.isArray(m.content)) continue;
    const ids = m.content.filter((b) => isRecord(b) && b.type === "tool_use").map((b) => (b as { id: string }).id);
    if (ids.length === 0) continue;
    const next = messages[i + 1];
    const answered = new Set(
      isRecord(next) && Array.isArray(next.content)
        ? next.content.filter((b) => isRecord(b) && b.type === "tool_result").map((b) => (b as { tool_use_id: string }).tool_use_id)
        : [],
    );
    const missing = ids.filter((id) => !answered.has(id));
    if (missing.length > 0 && i + 1 < messages.length) {
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  return undefined;
}

function validate(body: Record<string, unknown>, models: ReadonlySet<string>): Reply | undefined {
  for (const field of ["model", "max_tokens", "messages"]) {
    if (body[field] === undefined) return anthropicErrors.invalidRequest(`${field}: Field required`);
  }
  const extra = Object.keys(body).find((k) => !KNOWN_FIELDS.has(k));
  if (extra !== undefined) return anthropicErrors.invalidRequest(`${extra}: Extra inputs are not permitted`);
  if (typeof body.model !== "string" || !models.has(body.model)) return anthropicErrors.modelNotFound(String(body.model));
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return anthropicErrors.invalidRequest("max_tokens: Input should be a valid integer greater than or equal to 1");
  }
  if (!Array.isArray(body.messages)) return anthropicErrors.invalidRequest("messages: Input should be a valid list");
  if (typeof body.temperature === "number" && (body.temperature < 0 || body.temperature > 1)) {
    return anthropicErrors.invalidRequest("temperature: Input should be less than or equal to 1");
  }
  if (isRecord(body.thinking) && body.thinking.type === "enabled") {
    const budget = body.thinking.budget_tokens;
    if (typeof budget !== "number" || budget < 1024) return anthropicErrors.invalidRequest("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
    if (body.max_tokens <= budget) return anthropicErrors.invalidRequest("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
    if (body.temperature !== undefined && body.temperature !== 1) return anthropicErrors.invalidRequest("`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility");
  }
  const outputError = outputConfigError(body);
  if (outputError !== undefined) return anthropicErrors.invalidRequest(outputError);
  if (body.tool_choice !== undefined && !Array.isArray(body.tools)) {
    return anthropicErrors.invalidRequest("tool_choice: tool_choice may only be specified while providing tools.");
  }
  const toolError = checkToolResults(body.messages);
  return toolError === undefined ? undefined : anthropicErrors.invalidRequest(toolError);
}

function parseStreamError(raw: string | string[] | undefined): StreamError | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const parsed = JSON.parse(value) as StreamError;
  return typeof parsed.afterEvents === "number" ? parsed : undefined;
}

export async function startAnthropicFake(options: AnthropicFakeOptions = {}): Promise<AnthropicFakeServer> {
  const behaviour = resolveBehaviour(options);
  const models = new Set(options.models ?? DEFAULT_ANTHROPIC_MODELS);
  const ids = createIds();
  let streamError: StreamError | null = null;

  const route = (request: FakeRequest): Reply => {
    const denied = checkKey(request, options.apiKey);
    if (denied !== undefined) return denied;
    const counting = request.path === "/v1/messages/count_tokens";
    if (request.method !== "POST" || (request.path !== "/v1/messages" && !counting)) return anthropicErrors.notFound();
    if (!request.headers["anthropic-version"]) return anthropicErrors.invalidRequest("anthropic-version: header is required");
    const body = bodyObject(request);
    if (body === undefined) return anthropicErrors.invalidRequest("There was an error parsing the body of your request. Please make sure the body is valid JSON.");
    if (counting) return countTokensReply(body, models);
    const invalid = validate(body, models);
    if (invalid !== undefined) return invalid;

    const plan = planMessage(body, body.model as string, ids, behaviour.reply, options.cacheTokens ?? {});
    if (body.stream !== true) return jsonReply(200, messageBody(plan));
    const error = parseStreamError(request.headers[STREAM_ERROR_HEADER]) ?? streamError ?? undefined;
    return {
      type: "sse",
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
      frames: streamFrames(plan, behaviour.streamChunks, error),
    };
  };

  const server = await startFakeServer({
    dialect: anthropicDialect,
    route,
    basePath: "",
    port: behaviour.port,
    chunkDelayMs: behaviour.chunkDelayMs,
    record: behaviour.record,
  });
  return { ...server, setStreamError: (error) => { streamError = error; } };
}
