/**
 * Runs a compiled workflow (DESIGN.md §7): items in order, a parallel
 * group's steps at once; `when:` skips a step; each step's call retried
 * per `retry.max_attempts` (on top of the gateway's own retries, which
 * happen inside each call) and bounded by its `timeout_ms`; JSON outputs
 * parsed and checked, a schema failure asked again once with the problem in
 * the prompt; a failed step fails the run unless `continue_on_error`; the
 * run's `timeout_ms` and the caller leaving cancel the calls in flight.
 *
 * The model call is a parameter (./step-call.ts makes it an engine call
 * with the caller's key): the runner itself knows nothing of HTTP or keys.
 */
import { CallbackLink, type ClientLink } from "../core/client-link.js";
import { GatewayError, toGatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { ChatMessage, ChatRequest, ChatResponse } from "../core/types.js";
import type { CallMeta } from "../engine/call-options.js";
import type { CompiledStep, CompiledWorkflow } from "./compile.js";
import { evaluate, truthy, type Scope } from "./expression.js";
import { correction, parseJsonOutput } from "./json-output.js";
import type { RunError, RunEvent, RunRecord, StepRecord } from "./run-record.js";
import { render, renderValue } from "./template.js";

export interface StepCall {
  body: ChatRequest;
  /** The call's request id: its log row's id. */
  requestId: string;
  step: string;
  /** The step's timeout_ms, for this one call. */
  timeoutMs: number | undefined;
  /** Fires when the run ends early (its timeout, the caller gone): the call is cancelled. */
  link: ClientLink;
}

export type CallModel = (call: StepCall) => Promise<{ value: ChatResponse; meta: CallMeta }>;

export interface RunOptions {
  id?: string;
  version: number | null;
  /** Checked inputs (./inputs.ts). */
  inputs: Record<string, unknown>;
  callModel: CallModel;
  onEvent?: (event: RunEvent) => void;
  /** The caller leaving (an HTTP client that disconnects, a library caller's signal). */
  client?: ClientLink;
  /** The caller's own bound on the run, on top of the workflow's timeout_ms. */
  timeoutMs?: number;
}

/** Backoff between a step's own retries: full jitter, as the gateway's retries do. */
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 5_000;

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const errorOf = (e: GatewayError): RunError => ({ message: e.message, type: e.type, code: e.clientCode ?? e.code });

function textOf(response: ChatResponse): string {
  const content = response.choices[0]?.message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p.type === "text" ? p.text : "")).join("");
  return "";
}

/** A pause the run's end cuts short. */
function pause(ms: number, link: ClientLink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const off = link.onAbort(done);
  });
}

type CallOutcome = { ok: true; text: string } | { ok: false; error: GatewayError };

interface Tally { attempts: number; promptTokens: number; completionTokens: number; costUsd: number; requestId: string | null; provider: string | null }

export async function runWorkflow(wf: CompiledWorkflow, o: RunOptions): Promise<RunRecord> {
  const id = o.id ?? newId("wfrun");
  const createdAt = new Date().toISOString();
  const started = performance.now();
  const emit = (event: RunEvent) => o.onEvent?.(event);

  // One link for the whole run: the calls in flight are cancelled through it.
  const link = new CallbackLink();
  const offClient = o.client?.onAbort(() => link.abort(o.client!.reason));
  const bound = Math.min(wf.timeoutMs ?? Infinity, o.timeoutMs ?? Infinity);
  // Coded client_closed so the gateway stops the call at once instead of trying other targets; its status says timeout.
  const timer = Number.isFinite(bound) ? setTimeout(() => link.abort(new GatewayError("client_closed",
    `The workflow run took longer than its timeout of ${bound} ms.`, { status: 504, type: "timeout_error", clientCode: "workflow_timeout", retryable: false })), bound) : undefined;
  timer?.unref();

  const steps: Record<string, { output: unknown; status: string; error: RunError | null }> = {};
  const scope: Scope = { inputs: o.inputs, steps };
  const records = new Map<string, StepRecord>();

  const call = async (s: CompiledStep, messages: ChatMessage[], tally: Tally): Promise<CallOutcome> => {
    const max = s.def.retry?.max_attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      if (link.aborted) return { ok: false, error: link.reason };
      const requestId = newId("req");
      tally.requestId = requestId;
      tally.attempts++;
      try {
        const body = { ...s.params, model: s.def.model, messages, stream: false } as ChatRequest;
        const { value, meta } = await o.callModel({ body, requestId, step: s.def.id, timeoutMs: s.def.timeout_ms, link });
        tally.promptTokens += value.usage?.prompt_tokens ?? 0;
        tally.completionTokens += value.usage?.completion_tokens ?? 0;
        tally.costUsd += meta.costUsd ?? 0;
        tally.provider = meta.provider;
        return { ok: true, text: textOf(value) };
      } catch (err) {
        const e = toGatewayError(err);
        if (link.aborted) return { ok: false, error: link.reason };
        if (!e.retryable || attempt >= max) return { ok: false, error: e };
        const delay = e.retryAfter !== undefined ? Math.min(e.retryAfter * 1000, RETRY_MAX_MS) : Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
        await pause(delay, link);
      }
    }
  };

  const runStep = async (s: CompiledStep): Promise<StepRecord> => {
    const id_ = s.def.id;
    const base = { id: id_, model: s.def.model };
    const finish = (record: StepRecord): StepRecord => {
      steps[id_] = { output: record.output, status: record.status, error: record.error ?? null };
      records.set(id_, record);
      emit({ event: "step.completed", data: { run_id: id, ...record } });
      return record;
    };
    const empty = { request_id: null, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, latency_ms: 0, input: null, attempts: 0, provider: null, started_at: null };
    if (link.aborted) return finish({ ...base, status: "failed", output: null, ...empty, error: errorOf(link.reason) });
    if (s.when && !truthy(evaluate(s.when, scope))) return finish({ ...base, status: "skipped", output: null, ...empty });

    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const messages: ChatMessage[] = s.messages.map((m) => ({ role: m.role, content: render(m.content, scope) }));
    emit({ event: "step.started", data: { run_id: id, id: id_, model: s.def.model, started_at: startedAt } });
    const tally: Tally = { attempts: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, requestId: null, provider: null };
    let output: unknown = null;
    let error: RunError | undefined;
    let answer = await call(s, messages, tally);
    if (!answer.ok) error = errorOf(answer.error);
    else if (s.def.output?.json !== true) output = answer.text.trim();
    else {
      let parsed = parseJsonOutput(answer.text, s.schema);
      if (!parsed.ok) {
        // Once more, with the problem in the prompt; the step's prompt itself is sent unchanged.
        const retry = [...messages, { role: "assistant" as const, content: answer.text }, { role: "user" as const, content: correction(parsed.problem, s.def.output.schema) }];
        answer = await call(s, retry, tally);
        if (answer.ok) parsed = parseJsonOutput(answer.text, s.schema);
      }
      if (!answer.ok) error = errorOf(answer.error);
      else if (parsed.ok) output = parsed.value;
      else error = { message: `Step '${id_}' answered unusable JSON twice: ${parsed.problem}.`, type: "upstream_error", code: "invalid_output" };
    }
    return finish({
      ...base, status: error ? "failed" : "succeeded", output: error ? null : output,
      request_id: tally.requestId, prompt_tokens: tally.promptTokens, completion_tokens: tally.completionTokens,
      cost_usd: tally.costUsd, latency_ms: round(performance.now() - t0),
      ...(error ? { error } : {}), input: messages, attempts: tally.attempts, provider: tally.provider, started_at: startedAt,
    });
  };

  let runError: RunError | null = null;
  try {
    for (const item of wf.items) {
      const group = item.kind === "step" ? [item.step] : item.steps;
      const done = await Promise.all(group.map(runStep));
      if (link.aborted) {
        runError = errorOf(link.reason);
        break;
      }
      const failed = done.find((r, i) => r.status === "failed" && group[i]!.def.continue_on_error !== true);
      if (failed) {
        runError = failed.error ?? null;
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    offClient?.();
  }

  const ordered = wf.steps.map((s) => records.get(s.def.id)).filter((r): r is StepRecord => r !== undefined);
  const outputs = runError ? null : Object.fromEntries(wf.outputs.map(([name, t]) => [name, renderValue(t, scope)]));
  const sum = (f: (r: StepRecord) => number) => ordered.reduce((n, r) => n + f(r), 0);
  const record: RunRecord = {
    id, workflow: wf.name, version: o.version, status: runError ? "failed" : "succeeded", inputs: o.inputs, outputs, steps: ordered,
    cost_usd: sum((r) => r.cost_usd), latency_ms: round(performance.now() - started),
    prompt_tokens: sum((r) => r.prompt_tokens), completion_tokens: sum((r) => r.completion_tokens),
    created_at: createdAt, error: runError,
  };
  emit({ event: "run.completed", data: record });
  return record;
}
