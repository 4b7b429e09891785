/**
 * The runner (src/workflows/runner.ts) with a scripted model call in place of
 * the engine: order, parallel groups, when, step retries, the schema retry,
 * continue_on_error, the run timeout, the caller leaving, and the sums.
 */
import { describe, expect, it } from "vitest";
import { CallbackLink } from "../../src/core/client-link.js";
import { GatewayError } from "../../src/core/errors.js";
import type { ChatResponse } from "../../src/core/types.js";
import type { CallMeta } from "../../src/engine/call-options.js";
import { compileWorkflow } from "../../src/workflows/compile.js";
import type { RunEvent } from "../../src/workflows/run-record.js";
import { runWorkflow, type CallModel, type StepCall } from "../../src/workflows/runner.js";

function answer(text: string, costUsd = 0.001, provider = "p"): { value: ChatResponse; meta: CallMeta } {
  return {
    value: {
      id: "x", object: "chat.completion", created: 0, model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    } as ChatResponse,
    meta: { requestId: "r", provider, upstreamModel: "m", attempts: 1, costUsd, cache: null },
  };
}

const lastUser = (c: StepCall) => String(c.body.messages.at(-1)!.content);
/** Echoes the last user message after `ms`, cancelled by the run's link. */
const echo = (ms = 0): CallModel => (c) => new Promise((resolve, reject) => {
  const t = setTimeout(() => resolve(answer(lastUser(c))), ms);
  c.link.onAbort(() => {
    clearTimeout(t);
    reject(c.link.reason);
  });
});

const run = (wf: unknown, callModel: CallModel, extra: Partial<Parameters<typeof runWorkflow>[1]> = {}) =>
  runWorkflow(compileWorkflow(wf), { version: 1, inputs: { text: "hello" }, callModel, ...extra });
const s = (id: string, extra: Record<string, unknown> = {}) => ({ id, model: "m", prompt: `${id}: {{ inputs.text }}`, ...extra });
const inputs = { text: { type: "string" } };

describe("runWorkflow", () => {
  it("runs steps in order, each seeing the earlier outputs; sums cost and tokens; renders outputs", async () => {
    const events: RunEvent[] = [];
    const calls: StepCall[] = [];
    const r = await run({
      name: "w", inputs, steps: [s("a"), s("b", { prompt: "after {{ steps.a.output }}", temperature: 0.1 })],
      outputs: { final: "{{ steps.b.output }}", both: "{{ steps.a.output }} + {{ steps.b.output }}" },
    }, (c) => {
      calls.push(c);
      return Promise.resolve(answer(`  ${lastUser(c)}\n`));
    }, { onEvent: (e) => events.push(e) });
    expect(r.status).toBe("succeeded");
    expect(r.outputs).toEqual({ final: "after a: hello", both: "a: hello + after a: hello" });
    expect(r.steps.map((x) => [x.id, x.status, x.output, x.attempts])).toEqual([["a", "succeeded", "a: hello", 1], ["b", "succeeded", "after a: hello", 1]]);
    expect(calls[1]!.body).toMatchObject({ model: "m", temperature: 0.1, stream: false, messages: [{ role: "user", content: "after a: hello" }] });
    expect(r.steps[1]!.request_id).toBe(calls[1]!.requestId);
    expect(r.cost_usd).toBeCloseTo(0.002, 10);
    expect([r.prompt_tokens, r.completion_tokens]).toEqual([20, 10]);
    expect(events.map((e) => `${e.event}:${"id" in e.data ? e.data.id : ""}`)).toEqual([
      "step.started:a", "step.completed:a", "step.started:b", "step.completed:b", `run.completed:${r.id}`,
    ]);
    expect(events.at(-1)!.data).toBe(r);
  });

  it("runs a parallel group concurrently: two 300 ms steps take about 300 ms", async () => {
    const started = performance.now();
    const r = await run({ name: "w", inputs, steps: [{ parallel: [s("a"), s("b")] }, s("c", { prompt: "{{ steps.a.output }}|{{ steps.b.output }}" })] }, echo(300));
    const ms = performance.now() - started;
    expect(r.steps.map((x) => x.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(r.steps[2]!.output).toBe("a: hello|b: hello");
    expect(ms).toBeGreaterThanOrEqual(590);
    expect(ms).toBeLessThan(850); // sequential would be 900
  });

  it("skips a step whose condition is false: status skipped, output null later", async () => {
    const r = await run({ name: "w", inputs, steps: [s("a"), s("b", { when: "steps.a.output contains 'nope'" }), s("c", { prompt: "[{{ steps.b.output }}] {{ steps.b.status }}", when: "steps.b.output == null" })] }, echo());
    expect(r.steps.map((x) => [x.id, x.status])).toEqual([["a", "succeeded"], ["b", "skipped"], ["c", "succeeded"]]);
    expect(r.steps[1]).toMatchObject({ output: null, request_id: null, cost_usd: 0, input: null });
    expect(r.steps[2]!.output).toBe("[] skipped");
  });

  it("retries a step on a retryable error up to retry.max_attempts, each call its own request id", async () => {
    let n = 0;
    const ids: string[] = [];
    const r = await run({ name: "w", inputs, steps: [s("a", { retry: { max_attempts: 3 } })] }, (c) => {
      ids.push(c.requestId);
      if (++n < 3) return Promise.reject(new GatewayError("upstream_unavailable", "busy"));
      return Promise.resolve(answer("ok"));
    });
    expect(r.status).toBe("succeeded");
    expect(r.steps[0]).toMatchObject({ attempts: 3, output: "ok", request_id: ids[2] });
    expect(new Set(ids).size).toBe(3);
  });

  it("does not retry what cannot succeed, and a failed step fails the run with its error", async () => {
    let n = 0;
    const r = await run({ name: "w", inputs, steps: [s("a", { retry: { max_attempts: 3 } }), s("b")] }, () => {
      n++;
      return Promise.reject(new GatewayError("permission_denied", "no such model for this key"));
    });
    expect(n).toBe(1);
    expect(r.status).toBe("failed");
    expect(r.outputs).toBeNull();
    expect(r.steps.map((x) => x.id)).toEqual(["a"]); // b never ran
    expect(r.steps[0]!.error).toEqual({ message: "no such model for this key", type: "permission_error", code: "permission_denied" });
    expect(r.error).toEqual(r.steps[0]!.error);
  });

  it("continue_on_error: the run goes on, the failed step's output is null", async () => {
    const r = await run({ name: "w", inputs, steps: [s("a", { continue_on_error: true }), s("b", { prompt: "{{ steps.a.status }}/{{ steps.a.output }}" })], outputs: { b: "{{ steps.b.output }}" } },
      (c) => (c.step === "a" ? Promise.reject(new GatewayError("upstream_error", "boom")) : Promise.resolve(answer(lastUser(c)))));
    expect(r.status).toBe("succeeded");
    expect(r.steps[0]).toMatchObject({ status: "failed", output: null, error: { code: "upstream_error" } });
    expect(r.outputs).toEqual({ b: "failed/" });
  });

  it("parses JSON outputs, retrying once with the schema's complaint in the prompt", async () => {
    const calls: StepCall[] = [];
    const schema = { type: "object", properties: { score: { type: "number", maximum: 1 } }, required: ["score"] };
    const r = await run({ name: "w", inputs, steps: [s("a", { output: { json: true, schema } }), s("b", { prompt: "{{ steps.a.output.score }}" })] }, (c) => {
      calls.push(c);
      if (c.step === "b") return Promise.resolve(answer(lastUser(c)));
      return Promise.resolve(answer(calls.length === 1 ? '{"score": 7}' : '```json\n{"score": 0.5}\n```'));
    });
    expect(r.status).toBe("succeeded");
    expect(r.steps[0]).toMatchObject({ output: { score: 0.5 }, attempts: 2 });
    expect(r.steps[0]!.cost_usd).toBeCloseTo(0.002, 10); // both calls were paid for
    expect(calls[0]!.body.messages).toEqual([{ role: "user", content: "a: hello" }]); // the prompt unchanged
    const retry = calls[1]!.body.messages;
    expect(retry.slice(0, 2)).toEqual([{ role: "user", content: "a: hello" }, { role: "assistant", content: '{"score": 7}' }]);
    expect(retry[2]!.content).toMatch(/score: Too big: expected number to be <=1/);
    expect(r.steps[1]!.output).toBe("0.5");
  });

  it("fails the step when the retry is no better", async () => {
    const r = await run({ name: "w", inputs, steps: [s("a", { output: { json: true } })] }, () => Promise.resolve(answer("not json")));
    expect(r.status).toBe("failed");
    expect(r.steps[0]).toMatchObject({ status: "failed", attempts: 2, error: { code: "invalid_output" } });
    expect(r.steps[0]!.error!.message).toMatch(/not valid JSON/);
  });

  it("the run's timeout_ms cancels the calls in flight and fails the run", async () => {
    let cancelled = 0;
    const started = performance.now();
    const r = await run({ name: "w", inputs, timeout_ms: 200, steps: [{ parallel: [s("a"), s("b")] }, s("c")] }, (c) => new Promise((_resolve, reject) => {
      c.link.onAbort(() => {
        cancelled++;
        reject(c.link.reason);
      });
    }));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(cancelled).toBe(2);
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "workflow_timeout", type: "timeout_error" });
    expect(r.steps.map((x) => x.status)).toEqual(["failed", "failed"]);
  });

  it("the caller leaving cancels the run", async () => {
    const client = new CallbackLink();
    setTimeout(() => client.abort(), 50);
    const r = await run({ name: "w", inputs, steps: [s("a"), s("b")] }, echo(5_000), { client });
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "client_closed" });
  });

  it("a step's timeout_ms goes with its call", async () => {
    const seen: (number | undefined)[] = [];
    await run({ name: "w", inputs, steps: [s("a", { timeout_ms: 1234 }), s("b")] }, (c) => {
      seen.push(c.timeoutMs);
      return Promise.resolve(answer("x"));
    });
    expect(seen).toEqual([1234, undefined]);
  });
});
