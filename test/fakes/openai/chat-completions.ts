/**
 * POST /chat/completions: validates the request the way OpenAI does (for the
 * fields the fake reads), decides the answer (echo text or tool calls) and
 * renders it as one JSON body or, with `stream: true`, as SSE chunks.
 */
import { includeUsage, optionalPositiveInt, SYSTEM_FINGERPRINT, type EndpointInput } from "./endpoint-handler.js";
import { unixNow } from "../_shared/fake-ids.js";
import { chatStreamReply } from "./chat-stream.js";
import { openaiErrors } from "./openai-errors.js";
import type { ChatChoice, ChatCompletion, FinishReason, Usage } from "./openai-wire-types.js";
import { countWords, lastUserText, limitWords, messageViews, promptTokens } from "../_shared/prompt-text.js";
import { jsonReply, type Reply } from "../_shared/reply.js";
import { structuredText } from "../_shared/schema-value.js";
import { planToolCalls, toolCallTokens, type PlannedToolCall } from "../_shared/tool-calls.js";

/** What one choice says: text, or tool calls. */
export type ChatAnswer =
  | { kind: "text"; text: string; finishReason: Extract<FinishReason, "stop" | "length"> }
  | { kind: "tools"; calls: PlannedToolCall[] };

export function chatUsage(promptTokenCount: number, completionTokenCount: number): Usage {
  return {
    prompt_tokens: promptTokenCount,
    completion_tokens: completionTokenCount,
    total_tokens: promptTokenCount + completionTokenCount,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function answerTokens(answer: ChatAnswer): number {
  return answer.kind === "text" ? countWords(answer.text) : toolCallTokens(answer.calls);
}

function choiceFor(answer: ChatAnswer, index: number): ChatChoice {
  if (answer.kind === "text") {
    return {
      index,
      message: { role: "assistant", content: answer.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: answer.finishReason,
    };
  }
  return {
    index,
    message: {
      role: "assistant",
      content: null,
      tool_calls: answer.calls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      })),
      refusal: null,
      annotations: [],
    },
    logprobs: null,
    finish_reason: "tool_calls",
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON text for `response_format` (json_schema: fitting its schema; json_object: any object), or undefined for text. */
function structuredAnswer(format: unknown, userText: string): string | undefined {
  if (!isRecord(format)) return undefined;
  if (format.type === "json_object") return structuredText(undefined, userText);
  if (format.type !== "json_schema") return undefined;
  const spec = isRecord(format.json_schema) ? format.json_schema : {};
  return structuredText(isRecord(spec.schema) ? spec.schema : {}, userText);
}

export function handleChatCompletions(input: EndpointInput): Reply {
  const { body, behaviour, ids } = input;
  const { messages } = body;
  if (messages === undefined) return openaiErrors.missingParam("messages");
  if (!Array.isArray(messages)) {
    return openaiErrors.invalidValue("messages", "Invalid type for 'messages': expected an array of objects.", "invalid_type");
  }
  if (messages.length === 0) {
    return openaiErrors.invalidValue(
      "messages",
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "empty_array",
    );
  }
  const n = optionalPositiveInt(body.n);
  if (n === null || (n ?? 1) > 128) {
    return openaiErrors.invalidValue("n", `Invalid 'n': expected an integer between 1 and 128, got ${JSON.stringify(body.n)}.`);
  }
  const maxTokens = optionalPositiveInt(body.max_completion_tokens ?? body.max_tokens);
  if (maxTokens === null) {
    return openaiErrors.invalidValue("max_tokens", "Invalid 'max_tokens': expected a positive integer.");
  }

  const format = body.response_format;
  if (isRecord(format) && format.type === "json_schema" && !(isRecord(format.json_schema) && typeof format.json_schema.name === "string")) {
    return openaiErrors.missingParam("response_format.json_schema.name");
  }

  const views = messageViews(messages);
  const answers: ChatAnswer[] = [];
  for (let i = 0; i < (n ?? 1); i++) {
    // Fast mode ignores the prompt, so its answers can be cached by shape alone.
    const calls = behaviour.fast ? [] : planToolCalls(body, views, ids);
    if (calls.length > 0) {
      answers.push({ kind: "tools", calls });
      continue;
    }
    const userText = lastUserText(views);
    // A model asked for structured output answers JSON whatever else it was told to say.
    const structured = behaviour.fast ? undefined : structuredAnswer(format, userText);
    const limited = limitWords(structured ?? behaviour.reply ?? `echo: ${userText}`, maxTokens);
    answers.push({ kind: "text", text: limited.text, finishReason: limited.truncated ? "length" : "stop" });
  }
  const usage = chatUsage(
    promptTokens(views),
    answers.reduce((sum, answer) => sum + answerTokens(answer), 0),
  );
  const id = ids.chatCompletion();
  const created = unixNow();

  if (body.stream === true) {
    return chatStreamReply({
      id,
      created,
      model: input.model,
      answers,
      usage,
      includeUsage: includeUsage(body),
      pieces: behaviour.streamChunks,
      request: body,
      annotations: input.annotations,
    });
  }
  const completion: ChatCompletion = {
    id,
    object: "chat.completion",
    created,
    model: input.model,
    choices: answers.map(choiceFor),
    usage,
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  input.annotations?.completion?.(completion);
  return jsonReply(200, completion);
}
