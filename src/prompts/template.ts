/**
 * `{{variable}}` placeholders in a prompt's message contents: found when a
 * version is stored (so its variables are known and a stray `{{` is
 * refused then, not at the first call), and filled in when it is called.
 * Values are put in as text in one pass: a value that itself contains
 * `{{x}}` is not filled in again.
 */
import { GatewayError } from "../core/errors.js";

/** `{{ name }}`: letters, digits, `_ . -` (not starting with a digit), blanks inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,127})\s*\}\}/g;

export interface TemplateMessage {
  role: string;
  content: string;
}

/** The variables a text uses, in order of first use. */
export function variablesIn(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

/** Every variable of a template's messages, in order of first use. */
export function variablesOf(messages: readonly TemplateMessage[]): string[] {
  return [...new Set(messages.flatMap((m) => variablesIn(m.content)))];
}

/** What is wrong with a text's braces: a `{{` that does not open a placeholder, or undefined. */
export function templateProblem(text: string): string | undefined {
  const stripped = text.replace(PLACEHOLDER, "");
  const at = stripped.indexOf("{{");
  if (at === -1) return undefined;
  const snippet = stripped.slice(at, at + 24);
  return `'${snippet}…' is not a {{variable}} placeholder (a name of letters, digits, _ . - between double braces)`;
}

/** A variable's value as prompt text: strings as they are, objects and arrays as JSON. */
export function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The variables a template needs that `values` does not have (undefined and null count as missing). */
export function missingVariables(messages: readonly TemplateMessage[], values: Readonly<Record<string, unknown>>): string[] {
  return variablesOf(messages).filter((v) => !Object.hasOwn(values, v) || values[v] === undefined || values[v] === null);
}

/** The messages with their placeholders filled in; a 400 naming every missing variable. */
export function renderMessages<M extends TemplateMessage>(messages: readonly M[], values: Readonly<Record<string, unknown>>, what: string): M[] {
  const missing = missingVariables(messages, values);
  if (missing.length > 0) {
    const names = missing.map((v) => `'${v}'`).join(", ");
    throw new GatewayError("invalid_request", `Missing variable${missing.length > 1 ? "s" : ""} ${names} for ${what}: send ${missing.length > 1 ? "them" : "it"} in variables.`,
      { param: `variables.${missing[0]}`, clientCode: "missing_variable" });
  }
  return messages.map((m) => ({ ...m, content: m.content.replace(PLACEHOLDER, (_all, name: string) => asText(values[name])) }));
}
