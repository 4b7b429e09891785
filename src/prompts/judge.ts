/**
 * The `judge:MODEL` scorer: a model grades an answer against the expected
 * one with a fixed rubric, through the gateway (its own call, logged and
 * priced like any other). The rubric asks for a whole number from 0 to 10 in
 * a JSON object; the score is that number / 10. A reply with no such
 * number is an error, never a silent 0: the row is counted as failed.
 */
import { GatewayError } from "../core/errors.js";
import type { ChatMessage, ChatRequest } from "../core/types.js";

/** Sends one grading request (temperature 0) and returns the judge's text. */
export type JudgeCall = (request: ChatRequest) => Promise<string>;

export const JUDGE_RUBRIC = [
  "You are a strict grader. You are shown a QUESTION put to an assistant, the EXPECTED answer, and the assistant's ANSWER.",
  "Grade whether the ANSWER gives the expected answer: the same facts and the same final result. Ignore style, length, wording and formatting; an answer that adds correct detail is still right; an answer that hedges between several results is wrong.",
  "Score 10 when the answer is fully right, 0 when it is wrong or missing, and a number in between when it is partly right.",
  'Reply with only a JSON object: {"score": <a whole number from 0 to 10>, "reason": "<one short sentence>"}.',
].join("\n");

const contentText = (m: ChatMessage): string =>
  typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((p) => (p.type === "text" ? p.text : "")).join("") : "";

/** The grading request for one answer. */
export function judgeRequest(model: string, g: { input: readonly ChatMessage[]; expected: string; answer: string }): ChatRequest {
  // The whole conversation the answer replied to, system message included: the judge needs the instructions too.
  const question = g.input.map((m) => `[${m.role}] ${contentText(m)}`).join("\n");
  return {
    model,
    temperature: 0,
    messages: [
      { role: "system", content: JUDGE_RUBRIC },
      { role: "user", content: `QUESTION:\n<<<\n${question}\n>>>\n\nEXPECTED:\n<<<\n${g.expected}\n>>>\n\nANSWER:\n<<<\n${g.answer}\n>>>` },
    ],
  };
}

/** The judge's score (0 to 10) from its reply: the JSON object asked for, else a `score: N` in the text. */
export function parseGrade(text: string): number | undefined {
  const object = /\{[\s\S]*\}/.exec(text)?.[0];
  if (object) {
    try {
      const score = (JSON.parse(object) as { score?: unknown }).score;
      const n = typeof score === "string" ? Number(score) : score;
      if (typeof n === "number" && Number.isFinite(n)) return Math.min(10, Math.max(0, n));
    } catch {
      // Not JSON after all: look for the words below.
    }
  }
  const m = /score["']?\s*[:=]\s*(\d+(?:\.\d+)?)/i.exec(text);
  return m ? Math.min(10, Math.max(0, Number(m[1]))) : undefined;
}

export async function gradeWithJudge(judge: JudgeCall, model: string, g: { input: readonly ChatMessage[]; expected: string; answer: string }): Promise<number> {
  const reply = await judge(judgeRequest(model, g));
  const grade = parseGrade(reply);
  if (grade === undefined) {
    throw new GatewayError("upstream_error", `The judge ${model} did not answer with a score: ${JSON.stringify(reply.slice(0, 200))}`, { clientCode: "judge_unparsable", retryable: false });
  }
  return grade / 10;
}
