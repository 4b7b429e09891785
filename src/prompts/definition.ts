/**
 * A prompt version as it is written (DESIGN.md §7 "Prompt registry"): the
 * body of POST /v1/prompts and of a `prompts/<name>.yaml` file, checked
 * strictly so a misspelt field is refused with its path. The version stored
 * is its template: the messages with `{{variable}}` placeholders, and the
 * optional model, chat parameters and description.
 */
import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import { z } from "zod";
import { pathText } from "../workflows/definition.js";
import { PromptError, type PromptProblem } from "./prompt-error.js";
import { templateProblem, variablesOf } from "./template.js";

/** Names appear in URL paths: letters, digits, `_ . -`. */
export const PROMPT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const LABEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const PROMPT_ROLES = ["system", "developer", "user", "assistant"] as const;
export const MAX_MESSAGES = 200;

/** Fields of a completion request that a stored version's params cannot hold: they come from elsewhere. */
const NOT_PARAMS = ["messages", "model", "stream", "variables", "version", "label"];

export interface PromptMessage {
  role: (typeof PROMPT_ROLES)[number];
  content: string;
}

export interface PromptTemplate {
  messages: PromptMessage[];
  /** The model a completion uses unless the caller names one; null: the caller must. */
  model: string | null;
  /** Chat parameters (temperature, max_tokens, response_format …) sent with every completion. */
  params: Record<string, unknown>;
  description: string | null;
}

export interface PromptInput extends PromptTemplate {
  name: string;
}

export const messageSchema = z.strictObject({
  role: z.enum(PROMPT_ROLES),
  content: z.string().min(1, "a message's content may not be empty"),
});

const inputSchema = z.strictObject({
  name: z.string().regex(PROMPT_NAME, "a prompt name is letters, digits and _ . - (not starting with _ . -), at most 128 characters"),
  messages: z.array(messageSchema).min(1, "a prompt has at least one message").max(MAX_MESSAGES),
  model: z.string().min(1).nullish(),
  params: z.record(z.string(), z.unknown()).nullish(),
  description: z.string().nullish(),
});

/** Unknown fields first: a misspelt field is also a missing one, and its own name is the better pointer. */
function problemsOf(error: z.ZodError): PromptProblem[] {
  const issues = [...error.issues].sort((a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"));
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return { path: pathText([...issue.path, issue.keys[0]!]), message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(", ")}` : ""}` };
    }
    return { path: pathText(issue.path) || "(prompt)", message: issue.message };
  });
}

/** The problems of a template's contents and params that the schema cannot see. */
export function templateProblems(t: Pick<PromptTemplate, "messages" | "params">): PromptProblem[] {
  const problems: PromptProblem[] = [];
  t.messages.forEach((m, i) => {
    const p = templateProblem(m.content);
    if (p) problems.push({ path: `messages[${i}].content`, message: p });
  });
  for (const key of Object.keys(t.params)) {
    if (NOT_PARAMS.includes(key)) problems.push({ path: `params.${key}`, message: `${key} is not a stored parameter (it comes from the prompt or the completion request)` });
  }
  return problems;
}

/** A POST body or file object checked; a PromptError naming every problem's path. */
export function parsePromptInput(value: unknown): PromptInput {
  const r = inputSchema.safeParse(value);
  if (!r.success) throw new PromptError(problemsOf(r.error));
  const input: PromptInput = {
    name: r.data.name,
    messages: r.data.messages,
    model: r.data.model ?? null,
    params: r.data.params ?? {},
    description: r.data.description ?? null,
  };
  const problems = templateProblems(input);
  if (problems.length) throw new PromptError(problems);
  return input;
}

/** A stored template read back (the fields the registry wrote). */
export function templateOf(stored: Record<string, unknown>): PromptTemplate {
  return {
    messages: (stored.messages ?? []) as PromptMessage[],
    model: typeof stored.model === "string" ? stored.model : null,
    params: (stored.params ?? {}) as Record<string, unknown>,
    description: typeof stored.description === "string" ? stored.description : null,
  };
}

export function toTemplate(input: PromptTemplate): PromptTemplate {
  return { messages: input.messages, model: input.model, params: input.params, description: input.description };
}

export function sameTemplate(a: PromptTemplate, b: PromptTemplate): boolean {
  return isDeepStrictEqual(toTemplate(a), toTemplate(b));
}

/** Whether two templates take the same variables (the optimizer's variants must). */
export function sameVariables(a: readonly PromptMessage[], b: readonly PromptMessage[]): boolean {
  return isDeepStrictEqual([...variablesOf(a)].sort(), [...variablesOf(b)].sort());
}

/** YAML (or JSON, which is YAML) text → a prompt object, unchecked. */
export function parsePromptText(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new PromptError(doc.errors.map((e) => ({ path: "(yaml)", message: e.message.split("\n")[0]! })));
  return doc.toJS({ maxAliasCount: 100 });
}
