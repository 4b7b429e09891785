/**
 * Nothing the bookkeeping after an answer does can reach the process: a
 * metric, a span or a log row that throws is counted in
 * liaison_internal_errors_total{site} and logged at most once per interval,
 * and the other parts of the bookkeeping still happen.
 */
import { describe, expect, it } from "vitest";
import { createGateway } from "../../src/index.js";
import { Metrics } from "../../src/telemetry/metrics.js";
import { InternalErrors } from "../../src/telemetry/internal-errors.js";

const tick = () => new Promise((r) => setTimeout(r, 20));

async function counted(metrics: Metrics, site: string): Promise<number> {
  const m = await metrics.internalErrors.get();
  return m.values.find((v) => v.labels.site === site)?.value ?? 0;
}

describe("the engine's after-answer bookkeeping", () => {
  it("a metric that throws is counted, the answer and the log row are unaffected", async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.requestChild.get = () => { throw new RangeError("Maximum call stack size exceeded"); };
    const gateway = createGateway({ storage: { url: "memory:" }, logging: { level: "silent" }, providers: { demo: { type: "mock" } } }, { metrics });
    try {
      const res = await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "still answered" }] });
      expect(res.choices[0]!.message.content).toBe("still answered");
      await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "twice" }] });
      await tick();
      expect(await counted(metrics, "metrics")).toBe(2);
      const engine = await gateway.engine();
      await expect.poll(async () => (await engine.store!.queryLogs({ limit: 10 })).data.length).toBe(2);
    } finally {
      await gateway.close();
    }
  });

  it("a log row that cannot be made is counted under log_row", async () => {
    const metrics = new Metrics({ processMetrics: false });
    const gateway = createGateway({ storage: { url: "memory:" }, logging: { level: "silent", bodies: true }, providers: { demo: { type: "mock" } } }, { metrics });
    try {
      // A metadata value that throws once the request is answered (when the row is made) stands for any bug there.
      let reads = 0;
      const metadata = { get boom(): string { if (reads++ > 0) throw new Error("bad row"); return "ok"; } } as unknown as Record<string, unknown>;
      await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] }, { metadata });
      await tick();
      expect(await counted(metrics, "log_row")).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

describe("InternalErrors", () => {
  it("counts every error and logs once per interval per site, saying how many it did not log", () => {
    let now = 0;
    const counts: string[] = [];
    const lines: unknown[] = [];
    const errors = new InternalErrors({ count: (s) => counts.push(s), logger: { error: (o: unknown) => { lines.push(o); } } as never, intervalMs: 1_000, now: () => now });
    for (let i = 0; i < 5; i++) errors.report("metrics", new Error("x"));
    errors.report("tracing", "not an Error");
    now = 1_500;
    errors.report("metrics", new Error("y"));
    expect(counts).toEqual(["metrics", "metrics", "metrics", "metrics", "metrics", "tracing", "metrics"]);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ site: "metrics", suppressed: 4, err: { message: "y" } });
  });

  it("never throws, even when its logger does", () => {
    const errors = new InternalErrors({ logger: { error: () => { throw new Error("logger down"); } } as never });
    expect(() => errors.report("x", new Error("e"))).not.toThrow();
    expect(() => errors.guard("x", () => { throw new Error("e"); })).not.toThrow();
  });
});
