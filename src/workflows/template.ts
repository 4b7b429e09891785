/**
 * `{{ expression }}` templates (prompts, messages, system, outputs): the
 * text between the braces is an expression of ./expression.ts, so a template
 * can say `{{ steps.a.output.field }}` or `{{ inputs.tone || 'neutral' }}`.
 * Finding the braces is the only parsing done here: a scan that skips quoted
 * strings, so `{{ 'a }} b' }}` is one expression.
 */
import { ExpressionError, evaluate, parseExpression, pathsIn, type Expr, type Path, type Scope } from "./expression.js";

export interface Template {
  /** Text and expressions, in order. */
  parts: (string | Expr)[];
}

/** The end of the expression that starts at `from` (the index of its closing braces), or -1. */
function closing(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "}" && text[i + 1] === "}") return i;
  }
  return -1;
}

export function compileTemplate(text: string): Template {
  const parts: (string | Expr)[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open === -1) break;
    if (open > at) parts.push(text.slice(at, open));
    const end = closing(text, open + 2);
    if (end === -1) throw new ExpressionError(`'{{' at character ${open} is never closed with '}}'`);
    const source = text.slice(open + 2, end).trim();
    if (source === "") throw new ExpressionError(`empty '{{ }}' at character ${open}`);
    try {
      parts.push(parseExpression(source));
    } catch (err) {
      throw new ExpressionError(`in '{{ ${source} }}': ${(err as Error).message}`);
    }
    at = end + 2;
  }
  if (at < text.length) parts.push(text.slice(at));
  return { parts };
}

export function templatePaths(t: Template): Path[] {
  return t.parts.flatMap((p) => (typeof p === "string" ? [] : pathsIn(p)));
}

/** A value as template text: strings as they are, null as nothing, objects and arrays as JSON. */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function render(t: Template, scope: Scope): string {
  let out = "";
  for (const p of t.parts) out += typeof p === "string" ? p : asText(evaluate(p, scope));
  return out;
}

/**
 * An output's value: a template that is one expression alone (blanks
 * around it aside) gives that value as it is — an object, a number, null —
 * and any other template its text.
 */
export function renderValue(t: Template, scope: Scope): unknown {
  const exprs = t.parts.filter((p) => typeof p !== "string");
  const blankText = t.parts.every((p) => typeof p !== "string" || p.trim() === "");
  if (exprs.length === 1 && blankText) {
    const v = evaluate(exprs[0] as Expr, scope);
    return v === undefined ? null : v;
  }
  return render(t, scope);
}
