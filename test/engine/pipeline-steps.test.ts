/**
 * Adding a step to the engine's pipeline, as docs/architecture.md says:
 * a factory `(parts) => (next) => (call) => …` inserted into the list. The
 * step sees whole and streamed calls alike, and its deferred work runs once
 * the answer is complete — after the steps inside it (cost) and before the
 * ones outside it (bookkeeping).
 */
import { describe, expect, it } from "vitest";
import { createGateway } from "../../src/index.js";
import type { Call } from "../../src/engine/call.js";
import type { Outcome } from "../../src/engine/reply.js";
import type { Step } from "../../src/engine/pipeline.js";
import { PIPELINE, type NamedStep } from "../../src/engine/steps/index.js";

interface Seen { model: string | null; stream: boolean; ok?: boolean; costUsd?: number | null; attempts?: number }

/** The trivial step: notes each call on the way in, and how it ended once complete. */
function noting(seen: Seen[]): Step {
  return (next) => (call) => {
    const entry: Seen = { model: call.rec.model, stream: call.stream };
    seen.push(entry);
    call.defer((c: Call, outcome: Outcome) => {
      entry.ok = outcome.ok;
      entry.costUsd = c.rec.costUsd;
      entry.attempts = c.rec.attempts;
    });
    return next(call);
  };
}

/** Just outside `cost`, so its deferred work sees the price. */
const withStep = (seen: Seen[]) => (list: readonly NamedStep[]): NamedStep[] => {
  const at = list.findIndex((s) => s.name === "cost");
  return [...list.slice(0, at), { name: "noting", step: () => noting(seen) }, ...list.slice(at)];
};

describe("the pipeline", () => {
  it("lists its steps in order, outermost first", () => {
    expect(PIPELINE.map((s) => s.name)).toEqual(["bookkeeping", "admission", "cache", "cost"]);
  });

  it("runs an added step for whole and streamed calls, its deferred work once each answer is complete", async () => {
    const seen: Seen[] = [];
    const gateway = createGateway({
      storage: { url: "memory:" },
      logging: { level: "silent" },
      providers: { demo: { type: "mock", chunk_size: 2 } },
      prices: { "demo/echo": { input: 1, output: 2 } },
    }, { steps: withStep(seen) });
    try {
      await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "a whole answer" }] });
      const chunks: unknown[] = [];
      for await (const chunk of gateway.chatStream({ model: "demo/echo", messages: [{ role: "user", content: "a streamed answer" }] })) {
        chunks.push(chunk);
        // Mid-stream, the answer is not complete yet: nothing deferred has run.
        if (chunks.length === 1) expect(seen[1]!.ok).toBeUndefined();
      }
      await gateway.embed({ model: "demo/echo", input: "vector" });
      await expect(gateway.chat({ model: "demo/nope\u0000", messages: [{ role: "user", content: "x" }] })).rejects.toThrow();

      // The refused model never reached the pipeline (refused when the call was opened).
      expect(seen.map((s) => [s.model, s.stream])).toEqual([["demo/echo", false], ["demo/echo", true], ["demo/echo", false]]);
      expect(seen.every((s) => s.ok === true && s.attempts === 1)).toBe(true);
      // Deferred work of an outer step runs after the inner `cost` step priced the answer.
      expect(seen[0]!.costUsd).toBeGreaterThan(0);
      expect(seen[1]!.costUsd).toBeGreaterThan(0);
    } finally {
      await gateway.close();
    }
  });

  it("a step can answer a call itself, without the steps inside it", async () => {
    const canned: NamedStep = {
      name: "canned",
      step: () => (next) => (call) => (call.rec.model === "demo/canned"
        ? Promise.resolve({ kind: "value", value: { id: "canned", object: "chat.completion", created: 0, model: "canned", choices: [] } })
        : next(call)),
    };
    const gateway = createGateway({ storage: { url: "memory:" }, logging: { level: "silent" }, providers: { demo: { type: "mock" } } }, {
      steps: (list) => [...list, canned],
    });
    try {
      expect(await gateway.chat({ model: "demo/canned", messages: [{ role: "user", content: "x" }] })).toMatchObject({ id: "canned" });
      expect((await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "y" }] })).choices[0]!.message.content).toBe("y");
    } finally {
      await gateway.close();
    }
  });
});
