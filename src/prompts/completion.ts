/**
 * POST /v1/prompts/{name}/completions (DESIGN.md §7): `{variables,
 * version? | label?, stream?, model?, …any chat parameter}` → the chat
 * request to send. The version's params come first, the caller's chat
 * parameters over them; the model is the caller's, else the version's.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import type { ChatMessage, ChatRequest } from "../core/types.js";
import { LABEL_NAME, type PromptTemplate } from "./definition.js";
import { renderMessages } from "./template.js";

const bodySchema = z.looseObject({
  variables: z.record(z.string(), z.unknown()).nullish(),
  version: z.number().int().positive().nullish(),
  label: z.string().regex(LABEL_NAME, "a label is letters, digits and _ . -").nullish(),
  stream: z.boolean().nullish(),
  model: z.string().min(1).nullish(),
});

export interface CompletionBody {
  variables: Record<string, unknown>;
  version?: number;
  label?: string;
  stream: boolean;
  model?: string;
  /** Every other field: chat parameters. */
  params: Record<string, unknown>;
}

const OWN = new Set(["variables", "version", "label", "stream", "model"]);

export function parseCompletionBody(value: unknown): CompletionBody {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("invalid_request", "The body must be a JSON object: {variables, version? | label?, stream?, model?, …chat parameters}.");
  }
  const r = bodySchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const param = issue?.path.map(String).join(".") || "body";
    throw new GatewayError("invalid_request", `${param}: ${issue?.message ?? "invalid value"}`, { param });
  }
  const b = r.data;
  if (b.version != null && b.label != null) throw new GatewayError("invalid_request", "Send version or label, not both.", { param: "label" });
  if (Object.hasOwn(value, "messages")) {
    throw new GatewayError("invalid_request", "messages come from the prompt: send its variables instead (or call /v1/chat/completions).", { param: "messages" });
  }
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (!OWN.has(k)) params[k] = v;
  return {
    variables: b.variables ?? {}, stream: b.stream === true, params,
    ...(b.version != null ? { version: b.version } : {}),
    ...(b.label != null ? { label: b.label } : {}),
    ...(b.model != null ? { model: b.model } : {}),
  };
}

/** The chat request for a version and a completion body: a 400 naming a missing variable, or a missing model. */
export function chatRequestFor(name: string, version: number, t: PromptTemplate, body: Pick<CompletionBody, "variables" | "model" | "params"> & { stream?: boolean }): ChatRequest {
  const model = body.model ?? t.model;
  if (model === null) {
    throw new GatewayError("invalid_request", `Prompt '${name}' version ${version} names no model: send model.`, { param: "model" });
  }
  const messages = renderMessages(t.messages, body.variables, `prompt '${name}' version ${version}`) as ChatMessage[];
  return { ...t.params, ...body.params, model, messages, stream: body.stream === true };
}
