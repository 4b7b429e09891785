/**
 * `output: {json: true, schema?}`: the answer parsed as JSON (a fenced
 * ```json block is unwrapped, as models often send one) and checked against
 * the schema. The problem is said in words a model can act on, since it is
 * sent back in the schema retry's prompt.
 */
import { z } from "zod";
import { pathText } from "./definition.js";

export type JsonResult = { ok: true; value: unknown } | { ok: false; problem: string };

const FENCE = /^```(?:json|JSON)?\s*\n([\s\S]*?)\n?```$/;

export function parseJsonOutput(text: string, schema: z.ZodType | undefined): JsonResult {
  const trimmed = text.trim();
  const body = FENCE.exec(trimmed)?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, problem: `the answer is not valid JSON (${(err as Error).message})` };
  }
  if (!schema) return { ok: true, value };
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value };
  const issues = r.error.issues.slice(0, 10).map((i) => `${pathText(i.path) || "(the value)"}: ${i.message}`);
  return { ok: false, problem: `the JSON does not match the schema: ${issues.join("; ")}` };
}

/** The follow-up message of the schema retry. */
export function correction(problem: string, schema: Record<string, unknown> | undefined): string {
  const fits = schema ? ` that matches this JSON schema: ${JSON.stringify(schema)}` : "";
  return `Your previous answer could not be used: ${problem}. Answer again with only the JSON value${fits}.`;
}
