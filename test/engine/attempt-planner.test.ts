/**
 * The attempt planner on its own: no upstream, no timers. Each test drives
 * the plan with scripted answers (a target's limit granted or not, an
 * attempt's error) and reads what it asks for next.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { planAttempts, type PlanInput, type PlanRequest, type PlanStep, type RetryKind } from "../../src/engine/attempt-planner.js";
import type { RetryConfig } from "../../src/engine/retry-policy.js";
import type { Route } from "../../src/engine/router.js";
import { createStrategy } from "../../src/engine/routing/strategies.js";
import { LiveTargetStats } from "../../src/engine/routing/target-stats.js";
import type { TargetRef } from "../../src/engine/routing/types.js";
import type { ModelConfig } from "../../src/config/schema.js";
import type { ProviderAdapter } from "../../src/providers/types.js";

const provider = (name: string): ProviderAdapter => ({ name, type: "mock", capabilities: { chat: true, completions: true, embeddings: true } }) as unknown as ProviderAdapter;

function target(name: string, extra: Partial<TargetRef> = {}): TargetRef {
  const [p, m] = name.split("/") as [string, string];
  return { key: name, provider: provider(p), model: m, weight: 1, priority: 0, ...extra };
}

interface ModelSpec { targets: TargetRef[]; fallbacks?: string[]; context_window_fallbacks?: string[]; content_policy_fallbacks?: string[] }

function routes(models: Record<string, ModelSpec>): { resolve(name: string): Route } {
  const table = new Map<string, Route>();
  for (const [name, spec] of Object.entries(models)) {
    spec.targets.forEach((t, i) => { t.priority = i; });
    table.set(name, {
      name,
      targets: spec.targets,
      strategy: createStrategy("priority"),
      model: { targets: [], strategy: "priority", fallbacks: spec.fallbacks ?? [], context_window_fallbacks: spec.context_window_fallbacks ?? [], content_policy_fallbacks: spec.content_policy_fallbacks ?? [] } as unknown as ModelConfig,
    });
  }
  return { resolve: (name) => table.get(name) ?? (() => { throw new GatewayError("model_not_found", name); })() };
}

const RETRY: RetryConfig = { max_attempts: 3, budget_ms: 60_000, base_delay_ms: 100, max_delay_ms: 2_000, max_retry_after_ms: 10_000 };

interface Drive {
  /** What the plan asked for, in order: "attempt p/m", "wait N", "acquire p/m". */
  asked: string[];
  /** The error the plan ended with (a success ends with undefined). */
  ended: GatewayError | undefined;
  skipped: string[];
  retries: RetryKind[];
  movedOn: RetryKind[];
}

/**
 * Runs the plan. `attempts` answers each attempt in turn: an error, or "ok"
 * (which ends the run). `acquire` answers limit checks (default: granted).
 */
function drive(models: Record<string, ModelSpec>, request: Partial<PlanRequest> & { model: string }, attempts: (GatewayError | "ok")[], options: {
  open?: Set<string>; acquire?: (key: string) => boolean; now?: () => number;
} = {}): Drive {
  const out: Drive = { asked: [], ended: undefined, skipped: [], retries: [], movedOn: [] };
  const plan = planAttempts({
    router: routes(models),
    breakers: { allow: (key) => !options.open?.has(key) },
    stats: new LiveTargetStats(),
    now: options.now ?? (() => 0),
    onSkip: (t) => out.skipped.push(t.key),
    onRetry: (kind) => out.retries.push(kind),
  }, {
    cls: { size: "small", tools: false, stream: false },
    estimatedTokens: 10,
    retry: RETRY,
    deadline: 60_000,
    check: () => {},
    movedOn: (kind) => out.movedOn.push(kind),
    ...request,
  });
  const answers = [...attempts];
  let input: PlanInput;
  try {
    for (let i = 0; i < 50; i++) {
      const step: PlanStep = plan.next(input).value;
      input = undefined;
      if (step.kind === "acquire") {
        out.asked.push(`acquire ${step.target.key}`);
        input = options.acquire?.(step.target.key) ?? true;
      } else if (step.kind === "wait") {
        out.asked.push(`wait ${step.ms}`);
      } else {
        out.asked.push(`attempt ${step.target.key}`);
        const answer = answers.shift();
        if (answer === undefined) throw new Error("the plan asked for more attempts than scripted");
        if (answer === "ok") return out;
        input = answer;
      }
    }
    throw new Error("the plan did not end");
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    out.ended = err;
    return out;
  }
}

const down = (retryAfter?: number) => new GatewayError("upstream_unavailable", "down", retryAfter === undefined ? {} : { retryAfter });
const badRequest = () => new GatewayError("invalid_request", "bad", { status: 400 });
const tooLong = () => new GatewayError("invalid_request", "This model's maximum context length is 8192 tokens", { status: 400, clientCode: "context_length_exceeded" });
const refused = () => new GatewayError("content_refused", "refused", { retryable: false });

describe("the attempt plan", () => {
  it("tries the first target of the strategy's order, and stops at a success", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, ["ok"]);
    expect(d.asked).toEqual(["attempt a/x"]);
    expect(d.retries).toEqual([]);
  });

  it("moves to the next target at once after a retryable failure", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, [down(), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "attempt b/y"]);
    expect(d.retries).toEqual(["retry"]);
    expect(d.movedOn).toEqual(["retry"]);
  });

  it("backs off before trying the same target again, honouring Retry-After", () => {
    const d = drive({ m: { targets: [target("a/x")] } }, { model: "m" }, [down(2), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "wait 2000", "attempt a/x"]);
  });

  it("a Retry-After beyond max_retry_after_ms ends the plan instead of waiting", () => {
    const d = drive({ m: { targets: [target("a/x")] } }, { model: "m" }, [down(60)]);
    expect(d.asked).toEqual(["attempt a/x"]);
    expect(d.ended?.code).toBe("upstream_unavailable");
  });

  it("waits a jittered backoff, within the cap, without Retry-After", () => {
    const d = drive({ m: { targets: [target("a/x")] } }, { model: "m" }, [down(), "ok"]);
    const wait = Number(d.asked[1]!.split(" ")[1]);
    expect(d.asked[1]).toMatch(/^wait \d+$/);
    expect(wait).toBeLessThanOrEqual(RETRY.base_delay_ms);
  });

  it("a non-retryable failure ends the plan with that error", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, [badRequest()]);
    expect(d.asked).toEqual(["attempt a/x"]);
    expect(d.ended?.code).toBe("invalid_request");
  });

  it("max_attempts bounds the attempts on each target: the last error is the answer", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m", retry: { ...RETRY, max_attempts: 2 } }, [down(), down(), down(), down()]);
    expect(d.asked).toEqual(["attempt a/x", "attempt b/y", "attempt a/x", "attempt b/y"]);
    expect(d.ended?.message).toBe("down");
  });

  it("every target and every fallback model gets an attempt, however small max_attempts is", () => {
    const models = {
      m: { targets: [target("a/x"), target("b/y")], fallbacks: ["middle", "end"] },
      middle: { targets: [target("c/z")] },
      end: { targets: [target("e/w")] },
    };
    const d = drive(models, { model: "m", retry: { ...RETRY, max_attempts: 1 } }, [down(), down(), down(), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "attempt b/y", "attempt c/z", "attempt e/w"]);
    expect(d.retries).toEqual(["retry", "retry", "fallback", "retry", "fallback"]);
  });

  it("retries only the last model's targets once the chain is exhausted", () => {
    const models = { m: { targets: [target("a/x")], fallbacks: ["f"] }, f: { targets: [target("c/z")] } };
    const d = drive(models, { model: "m", retry: { ...RETRY, max_attempts: 2 } }, [down(), down(), down()]);
    expect(d.asked.filter((a) => a.startsWith("attempt"))).toEqual(["attempt a/x", "attempt c/z", "attempt c/z"]);
    expect(d.ended?.message).toBe("down");
  });

  it("no attempt starts once the deadline has passed (after the first)", () => {
    let now = 0;
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m", deadline: 1_000 }, [down()], { now: () => (now += 600) });
    expect(d.asked).toEqual(["attempt a/x"]);
    expect(d.ended?.message).toBe("down");
  });

  it("plain fallbacks: the next model once this one's targets failed", () => {
    const models = { m: { targets: [target("a/x")], fallbacks: ["f"] }, f: { targets: [target("c/z")] } };
    const d = drive(models, { model: "m" }, [down(), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "attempt c/z"]);
    expect(d.retries).toEqual(["retry", "fallback"]);
  });

  it("context-window errors jump to context_window_fallbacks, ahead of plain fallbacks", () => {
    const models = { m: { targets: [target("a/x"), target("b/y")], fallbacks: ["f"], context_window_fallbacks: ["long"] }, f: { targets: [target("c/z")] }, long: { targets: [target("l/big")] } };
    const d = drive(models, { model: "m" }, [tooLong(), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "attempt l/big"]);
    expect(d.movedOn).toEqual(["context_window_fallback"]);
    expect(d.retries).toEqual(["context_window_fallback"]);
  });

  it("content-policy refusals jump to content_policy_fallbacks", () => {
    const models = { m: { targets: [target("a/x")], content_policy_fallbacks: ["lenient"] }, lenient: { targets: [target("d/w")] } };
    const d = drive(models, { model: "m" }, [refused(), "ok"]);
    expect(d.asked).toEqual(["attempt a/x", "attempt d/w"]);
    expect(d.movedOn).toEqual(["content_policy_fallback"]);
  });

  it("a context-window error without a fallback chain is the answer (it is not retryable)", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, [tooLong()]);
    expect(d.ended?.clientCode).toBe("context_length_exceeded");
  });

  it("skips a target whose circuit is open", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, ["ok"], { open: new Set(["a/x"]) });
    expect(d.asked).toEqual(["attempt b/y"]);
    expect(d.skipped).toEqual(["a/x"]);
  });

  it("panic mode: when every circuit of the last model is open, one attempt goes through anyway", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, ["ok"], { open: new Set(["a/x", "b/y"]) });
    expect(d.skipped).toEqual(["a/x", "b/y"]);
    expect(d.asked).toEqual(["attempt a/x"]);
  });

  it("open circuits on a model with fallbacks move on to the fallback instead of panicking", () => {
    const models = { m: { targets: [target("a/x")], fallbacks: ["f"] }, f: { targets: [target("c/z")] } };
    const d = drive(models, { model: "m" }, ["ok"], { open: new Set(["a/x"]) });
    expect(d.asked).toEqual(["attempt c/z"]);
  });

  it("asks for a target's upstream limit, and skips it when refused", () => {
    const models = { m: { targets: [target("a/x", { rpm: 10 }), target("b/y")] } };
    const d = drive(models, { model: "m" }, ["ok"], { acquire: () => false });
    expect(d.asked).toEqual(["acquire a/x", "attempt b/y"]);
    expect(d.skipped).toEqual(["a/x"]);
  });

  it("ends with a 503 and Retry-After when every target is skipped and none was tried", () => {
    const models = { m: { targets: [target("a/x", { rpm: 1 })] } };
    const d = drive(models, { model: "m" }, [], { acquire: () => false });
    expect(d.ended).toMatchObject({ code: "upstream_unavailable", retryAfter: 1 });
    expect(d.ended?.message).toContain("circuits are open or targets are at their upstream limits");
  });

  it("a target that cannot serve the request is passed over; if none can, its refusal is the answer", () => {
    const check = (t: TargetRef) => { if (t.key === "a/x") throw new GatewayError("unsupported_operation", "no tools here"); };
    expect(drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m", check }, ["ok"]).asked).toEqual(["attempt b/y"]);
    const d = drive({ m: { targets: [target("a/x")] } }, { model: "m", check }, []);
    expect(d.ended?.code).toBe("unsupported_operation");
  });

  it("a client that left ends the plan at once", () => {
    const d = drive({ m: { targets: [target("a/x"), target("b/y")] } }, { model: "m" }, [new GatewayError("client_closed", "gone", { retryable: false })]);
    expect(d.asked).toEqual(["attempt a/x"]);
    expect(d.ended?.code).toBe("client_closed");
  });
});
