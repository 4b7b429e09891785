/**
 * POST /completions, the legacy text endpoint (CreateCompletionResponse).
 * Streamed chunks have the same shape as the full object; each prompt gets
 * `n` choices, numbered prompt-major as OpenAI numbers them. Unlike the real
 * API, max_tokens has no default of 16: an unlimited echo is what tests want.
 */
import { includeUsage, optionalPositiveInt, type EndpointInput } from "./endpoint-handler.js";
import { unixNow } from "../_shared/fake-ids.js";
import { openaiErrors } from "./openai-errors.js";
import type { TextChoice, TextCompletion, Usage } from "./openai-wire-types.js";
import { countWords, limitWords, streamPieces } from "../_shared/prompt-text.js";
import { jsonReply, sseReply, type Reply } from "../_shared/reply.js";

/** The prompt(s) as text: strings, or token arrays shown as space-separated ids. */
function promptTexts(prompt: unknown): string[] | null {
  if (prompt === undefined || prompt === null) return ["<|endoftext|>"];
  if (typeof prompt === "string") return [prompt];
  if (!Array.isArray(prompt) || prompt.length === 0) return null;
  if (prompt.every((p) => typeof p === "number")) return [prompt.join(" ")];
  if (prompt.every((p) => typeof p === "string")) return prompt as string[];
  if (prompt.every((p) => Array.isArray(p) && p.every((t) => typeof t === "number"))) {
    return (prompt as number[][]).map((tokens) => tokens.join(" "));
  }
  return null;
}

export function handleTextCompletions(input: EndpointInput): Reply {
  const { body, behaviour } = input;
  const prompts = promptTexts(body.prompt);
  if (prompts === null) {
    return openaiErrors.invalidValue("prompt", "Invalid 'prompt': expected a string, array of strings, or token array(s).");
  }
  const n = optionalPositiveInt(body.n);
  const maxTokens = optionalPositiveInt(body.max_tokens);
  if (n === null || maxTokens === null) {
    return openaiErrors.invalidValue(n === null ? "n" : "max_tokens", "Expected a positive integer.");
  }

  const choices: TextChoice[] = [];
  prompts.forEach((prompt, promptIndex) => {
    const limited = limitWords(behaviour.reply ?? `echo: ${prompt}`, maxTokens);
    for (let i = 0; i < (n ?? 1); i++) {
      choices.push({
        text: limited.text,
        index: promptIndex * (n ?? 1) + i,
        logprobs: null,
        finish_reason: limited.truncated ? "length" : "stop",
      });
    }
  });
  const promptTokenCount = prompts.reduce((sum, prompt) => sum + countWords(prompt), 0);
  const completionTokenCount = choices.reduce((sum, choice) => sum + countWords(choice.text), 0);
  const usage: Usage = {
    prompt_tokens: promptTokenCount,
    completion_tokens: completionTokenCount,
    total_tokens: promptTokenCount + completionTokenCount,
  };
  const head = { id: input.ids.textCompletion(), object: "text_completion" as const, created: unixNow(), model: input.model };

  if (body.stream === true) return textStream(head, choices, usage, includeUsage(body), behaviour.streamChunks);
  const completion: TextCompletion = { ...head, choices, usage };
  input.annotations?.completion?.(completion);
  return jsonReply(200, completion);
}

type Head = Pick<TextCompletion, "id" | "object" | "created" | "model">;

function textStream(head: Head, choices: TextChoice[], usage: Usage, withUsage: boolean, pieces: number | undefined): Reply {
  const chunk = (choice: TextChoice[]): TextCompletion => ({ ...head, choices: choice, ...(withUsage ? { usage: null } : {}) });
  const events: TextCompletion[] = [];
  const perChoice = choices.map((choice) => streamPieces(choice.text, pieces));
  const steps = Math.max(...perChoice.map((p) => p.length));
  for (let step = 0; step < steps; step++) {
    perChoice.forEach((texts, i) => {
      const text = texts[step];
      if (text !== undefined) events.push(chunk([{ text, index: choices[i]?.index ?? i, logprobs: null, finish_reason: null }]));
    });
  }
  for (const choice of choices) events.push(chunk([{ ...choice, text: "" }]));
  if (withUsage) events.push({ ...head, choices: [], usage });
  return sseReply(events);
}
