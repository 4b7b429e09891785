/**
 * A run's inputs against the workflow's `inputs:` (DESIGN.md §7): defaults
 * filled, and every missing, mistyped or undeclared input named in one 400.
 * The CLI's `--input k=v` strings are turned into the declared types first.
 */
import { GatewayError } from "../core/errors.js";
import type { InputDef, InputType } from "./definition.js";

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Why `value` is not of `type`, or undefined when it is. `object` takes any JSON object or array. */
export function typeProblem(type: InputType, value: unknown): string | undefined {
  const ok = type === "object"
    ? value !== null && typeof value === "object"
    : type === "number" ? typeof value === "number" && Number.isFinite(value) : typeof value === type;
  return ok ? undefined : `must be ${type === "object" ? "an object" : `a ${type}`}, not ${kind(value)}`;
}

/** The inputs a run sees: every declared input (defaults filled, absent optional ones null); a 400 naming each problem. */
export function checkInputs(declared: Record<string, InputDef>, given: unknown): Record<string, unknown> {
  if (given !== undefined && given !== null && (typeof given !== "object" || Array.isArray(given))) {
    throw new GatewayError("invalid_request", "inputs must be an object of input names to values.", { param: "inputs" });
  }
  const values = (given ?? {}) as Record<string, unknown>;
  const problems: { name: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(declared)) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || value === null) {
      if (d.default !== undefined) out[name] = d.default;
      else if (d.required) problems.push({ name, message: `missing required input '${name}' (${d.type})` });
      else out[name] = null;
      continue;
    }
    const problem = typeProblem(d.type, value);
    if (problem) problems.push({ name, message: `input '${name}' ${problem}` });
    else out[name] = value;
  }
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(declared, name)) {
      const names = Object.keys(declared);
      problems.push({ name, message: `unknown input '${name}' (the workflow declares ${names.length ? names.join(", ") : "none"})` });
    }
  }
  if (problems.length) {
    throw new GatewayError("invalid_request", `Invalid inputs: ${problems.map((p) => p.message).join("; ")}.`, {
      param: `inputs.${problems[0]!.name}`, clientCode: "invalid_inputs",
    });
  }
  return out;
}

/** `--input k=v` pairs → values of the declared types (`n=5` → 5, `flag=true` → true, an object as JSON); a 400 naming a bad one. */
export function inputsFromPairs(declared: Record<string, InputDef>, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new GatewayError("invalid_request", `--input ${pair}: write NAME=VALUE.`, { param: "inputs" });
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const type = Object.hasOwn(declared, name) ? declared[name]!.type : "string";
    out[name] = fromText(name, type, text);
  }
  return out;
}

function fromText(name: string, type: InputType, text: string): unknown {
  const bad = (what: string) => new GatewayError("invalid_request", `--input ${name}=${text}: input '${name}' must be ${what}.`, { param: `inputs.${name}` });
  if (type === "string") return text;
  if (type === "number") {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) throw bad("a number");
    return n;
  }
  if (type === "boolean") {
    if (text === "true" || text === "false") return text === "true";
    throw bad("true or false");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw bad("JSON (an object or an array)");
  }
}
