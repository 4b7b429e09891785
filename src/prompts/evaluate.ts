/**
 * One prompt template run over dataset rows: each row's variables filled
 * in, the model called through the gateway (an ordinary call: the caller's
 * key, limits, routing, retries, a log row, its cost; the response cache
 * bypassed, so every row is a fresh answer), the answer scored. Rows run a
 * few at a time. A call that fails scores 0 and is counted; a failure that
 * every row would meet (unknown model, a key not allowed, a bad parameter)
 * stops the run with its error instead.
 */
import { GatewayError, toGatewayError } from "../core/errors.js";
import type { ChatMessage, ChatRequest, ChatResponse } from "../core/types.js";
import type { CallMeta, CallOptions } from "../engine/call-options.js";
import type { DatasetRow } from "./dataset.js";
import type { PromptMessage } from "./definition.js";
import type { JudgeCall } from "./judge.js";
import { makeScorer, type Scorer, type ScorerOptions } from "./scorers.js";
import { quantile } from "./stats.js";
import { missingVariables, renderMessages } from "./template.js";

export type ChatFn = (request: ChatRequest, options: CallOptions) => Promise<{ value: ChatResponse; meta: CallMeta }>;

/** What is run: messages with placeholders, and the model and params they are sent with. */
export interface Candidate {
  messages: PromptMessage[];
  model: string | null;
  params: Record<string, unknown>;
}

export interface EvalEnv {
  chat: ChatFn;
  /** The caller's options every call starts from (key, metadata, signal). */
  caller: CallOptions;
  scorer: Scorer;
  /** Rows in flight at once. */
  concurrency: number;
  /** What the judge's calls cost so far. */
  judgeCostUsd: number;
}

export interface RowOutcome {
  score: number;
  answer: string;
  /** The rendered messages sent. */
  input: ChatMessage[];
  latencyMs: number;
  costUsd: number;
  error?: string;
}

export interface RunResult {
  rows: RowOutcome[];
  scores: number[];
  costUsd: number;
  p50Ms: number;
  errors: number;
  firstError?: string;
}

/** Errors every row would meet: the run stops with them. */
const FATAL = new Set(["model_not_found", "route_not_found", "invalid_api_key", "permission_denied", "invalid_request", "unsupported_operation", "client_closed"]);
/** Evaluations measure the model, not the cache. */
const NO_CACHE = { mode: "bypass", write: false } as const;

export function textOf(response: ChatResponse): string {
  const content = response.choices[0]?.message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p.type === "text" ? p.text : "")).join("");
  return "";
}

/** The environment of a run: the scorer (a judge calls through `chat` too, its cost tallied apart). */
export function evalEnv(chat: ChatFn, o: { scorer: string; caller?: CallOptions; concurrency?: number; metadata?: Record<string, unknown> } & Omit<ScorerOptions, "judge">): EvalEnv {
  const caller: CallOptions = { ...o.caller, metadata: { ...o.caller?.metadata, ...o.metadata } };
  const env: EvalEnv = { chat, caller, concurrency: Math.max(1, o.concurrency ?? 4), judgeCostUsd: 0, scorer: undefined as unknown as Scorer };
  const judge: JudgeCall = async (request) => {
    const { value, meta } = await chat({ ...request, stream: false }, { ...caller, cache: NO_CACHE, metadata: { ...caller.metadata, prompt_judge: true } });
    env.judgeCostUsd += meta.costUsd ?? 0;
    return textOf(value);
  };
  env.scorer = makeScorer(o.scorer, { ...(o.schema ? { schema: o.schema } : {}), ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }), judge });
  return env;
}

/** Throws a 400 naming the first row the candidate or the scorer cannot use. */
export function checkRows(env: EvalEnv, c: Candidate, rows: readonly DatasetRow[], what: string): void {
  for (const row of rows) {
    const missing = missingVariables(c.messages, row.variables);
    if (missing.length) {
      throw new GatewayError("invalid_request", `Dataset row ${row.id}: missing variable${missing.length > 1 ? "s" : ""} ${missing.map((v) => `'${v}'`).join(", ")} for ${what}.`,
        { param: `variables.${missing[0]}`, clientCode: "missing_variable" });
    }
    env.scorer.check(row);
  }
}

/** Runs `c` over `rows` (in order in the result); `tag` goes into each call's options (log row, metadata). */
export async function runCandidate(env: EvalEnv, c: Candidate, rows: readonly DatasetRow[], o: { model?: string; tag?: Partial<CallOptions>; onRow?: () => void; what: string }): Promise<RunResult> {
  const model = o.model ?? c.model;
  const outcomes = new Array<RowOutcome>(rows.length);
  let fatal: GatewayError | undefined;
  let next = 0;
  const one = async (row: DatasetRow): Promise<RowOutcome> => {
    const input = renderMessages(c.messages, row.variables, o.what) as ChatMessage[];
    const request: ChatRequest = { ...c.params, model: model ?? "", messages: input, stream: false };
    const started = performance.now();
    let answer = "";
    let costUsd = 0;
    try {
      const { value, meta } = await env.chat(request, { ...env.caller, ...o.tag, cache: NO_CACHE, metadata: { ...env.caller.metadata, ...o.tag?.metadata } });
      costUsd = meta.costUsd ?? 0;
      answer = textOf(value);
    } catch (err) {
      const e = toGatewayError(err);
      if (FATAL.has(e.code)) fatal ??= e;
      return { score: 0, answer, input, latencyMs: performance.now() - started, costUsd, error: e.message };
    }
    const latencyMs = performance.now() - started;
    try {
      return { score: await env.scorer.score(answer, row, input), answer, input, latencyMs, costUsd };
    } catch (err) {
      const e = toGatewayError(err);
      if (FATAL.has(e.code)) fatal ??= e;
      return { score: 0, answer, input, latencyMs, costUsd, error: `scoring failed: ${e.message}` };
    }
  };
  const worker = async (): Promise<void> => {
    while (fatal === undefined && next < rows.length) {
      const i = next++;
      outcomes[i] = await one(rows[i]!);
      o.onRow?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(env.concurrency, rows.length) }, worker));
  if (fatal) throw fatal;
  const latencies = outcomes.map((r) => r.latencyMs).sort((a, b) => a - b);
  const failed = outcomes.filter((r) => r.error !== undefined);
  return {
    rows: outcomes,
    scores: outcomes.map((r) => r.score),
    costUsd: outcomes.reduce((s, r) => s + r.costUsd, 0),
    p50Ms: Math.round(quantile(latencies, 0.5) * 1000) / 1000,
    errors: failed.length,
    ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
  };
}
