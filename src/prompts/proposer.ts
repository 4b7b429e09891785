/**
 * Instruction rewrites for the optimizer (the APE / ppromptor idea): a
 * proposer model is shown the current template and the training rows it
 * got wrong, and asked for a whole new `messages` template with the same
 * `{{variables}}`. What comes back is checked like a POST body; a reply
 * that is not a usable template is rejected (and reported), never stored.
 */
import type { ChatRequest } from "../core/types.js";
import { messageSchema, sameVariables, templateProblems, type PromptMessage } from "./definition.js";
import { variablesOf } from "./template.js";
import { z } from "zod";

export interface Failure {
  /** The rendered messages' last user content. */
  input: string;
  answer: string;
  expected: string;
}

/** Failures shown to the proposer, and how much of each text. */
export const MAX_FAILURES = 5;
const MAX_TEXT = 1_200;

export const PROPOSER_INSTRUCTIONS = [
  "You improve prompt templates for a language model.",
  "You are given a template: a JSON list of chat messages whose contents hold {{variable}} placeholders, filled in for each input.",
  "You are also given inputs on which the model's answer, with this template, did not give the expected answer.",
  "Write a better template: clearer instructions, the output format the expected answers show, whatever the failures suggest. Do not quote the failing examples' answers into the template.",
  "Rules: use every placeholder of the original, exactly as written, and no other placeholder; keep the roles system, developer, user or assistant.",
  'Reply with only a JSON object: {"messages": [{"role": "...", "content": "..."}, ...]}.',
].join("\n");

const cut = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

export function proposerRequest(model: string, o: { template: readonly PromptMessage[]; failures: readonly Failure[]; variant: number; of: number }): ChatRequest {
  const vars = variablesOf(o.template);
  const failures = o.failures.slice(0, MAX_FAILURES).map((f, i) =>
    `Example ${i + 1}\nINPUT:\n${cut(f.input)}\nANSWER:\n${cut(f.answer)}\nEXPECTED:\n${cut(f.expected)}`).join("\n\n");
  return {
    model,
    temperature: 0.9,
    messages: [
      { role: "system", content: PROPOSER_INSTRUCTIONS },
      {
        role: "user",
        content: `TEMPLATE:\n${JSON.stringify(o.template, null, 2)}\n\nPLACEHOLDERS: ${vars.length ? vars.map((v) => `{{${v}}}`).join(", ") : "(none)"}\n\n`
          + `FAILURES (${o.failures.length} of the training inputs; up to ${MAX_FAILURES} shown):\n\n${failures}\n\n`
          + `Write variant ${o.variant} of ${o.of}; make it differ from the other variants.`,
      },
    ],
  };
}

const proposalSchema = z.array(messageSchema).min(1).max(50);

/** The template in a proposer's reply, or why there is none usable. */
export function parseProposal(text: string, original: readonly PromptMessage[]): { messages: PromptMessage[] } | { problem: string } {
  const trimmed = text.trim();
  const body = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(trimmed)?.[1] ?? trimmed;
  const start = body.search(/[[{]/);
  const end = Math.max(body.lastIndexOf("}"), body.lastIndexOf("]"));
  let value: unknown;
  try {
    value = JSON.parse(start === -1 || end < start ? body : body.slice(start, end + 1));
  } catch {
    return { problem: "the reply is not JSON" };
  }
  const list = Array.isArray(value) ? value : (value as { messages?: unknown } | null)?.messages;
  const r = proposalSchema.safeParse(list);
  if (!r.success) return { problem: `the reply is not a messages template (${r.error.issues[0]?.message ?? "invalid"})` };
  const problems = templateProblems({ messages: r.data, params: {} });
  if (problems.length) return { problem: `${problems[0]!.path}: ${problems[0]!.message}` };
  if (!sameVariables(r.data, original)) {
    return { problem: `it uses the placeholders ${JSON.stringify(variablesOf(r.data))}, not the original's ${JSON.stringify(variablesOf(original))}` };
  }
  return { messages: r.data };
}
