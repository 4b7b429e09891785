/**
 * Hot counters (requests, attempts, tokens, cost) add up in plain numbers and
 * reach prom-client when scraped: every scrape shows every increment once.
 */
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/telemetry/metrics.js";

const valueOf = async (m: Metrics, name: string, labels: string) => {
  const text = await m.registry.getSingleMetricAsString(name);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
};

describe("deferred counters", () => {
  it("show every increment at each scrape, once", async () => {
    const m = new Metrics({ processMetrics: false });
    const ok = m.requestChild.get("/v1/chat/completions", "gpt", "up", "200");
    ok.inc();
    ok.inc();
    m.requestChild.get("/v1/chat/completions", "gpt", "up", "200").inc(3);
    const labels = 'endpoint="/v1/chat/completions",model="gpt",provider="up",status="200"';
    expect(await valueOf(m, "liaison_requests_total", labels)).toBe(5);
    expect(await valueOf(m, "liaison_requests_total", labels)).toBe(5);
    ok.inc();
    expect(await valueOf(m, "liaison_requests_total", labels)).toBe(6);

    const usage = m.usageChild.get("up", "gpt");
    usage.prompt.inc(10);
    usage.completion.inc(4);
    usage.cost.inc(0.25);
    m.attemptChild.get("up", "ok").inc();
    expect(await valueOf(m, "liaison_tokens_total", 'direction="prompt",provider="up",model="gpt"')).toBe(10);
    expect(await valueOf(m, "liaison_tokens_total", 'direction="completion",provider="up",model="gpt"')).toBe(4);
    expect(await valueOf(m, "liaison_cost_usd_total", 'provider="up",model="gpt"')).toBe(0.25);
    expect(await valueOf(m, "liaison_upstream_attempts_total", 'provider="up",outcome="ok"')).toBe(1);
  });

  it("past the label-set bound, count straight into prom-client", async () => {
    const m = new Metrics({ processMetrics: false });
    for (let i = 0; i < 10_050; i++) m.requestChild.get("/v1/embeddings", `m${i}`, "up", "200").inc();
    m.requestChild.get("/v1/embeddings", "m10049", "up", "200").inc();
    expect(await valueOf(m, "liaison_requests_total", 'endpoint="/v1/embeddings",model="m10049",provider="up",status="200"')).toBe(2);
    expect(await valueOf(m, "liaison_requests_total", 'endpoint="/v1/embeddings",model="m0",provider="up",status="200"')).toBe(1);
  });
});
