/** Budget threshold alerts delivered to a real node:http receiver that checks the signature. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryBudgetGuard } from "../../../src/engine/quotas/budgets.js";
import {
  BudgetAlerts, RedisAlertDedup, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody, verifyWebhookSignature,
  type BudgetAlert, type BudgetAlertSettings,
} from "../../../src/engine/quotas/webhooks.js";
import { RedisTestEnv } from "../health/redis-test-env.js";

const SECRET = "whsec_test";

interface Received { alert: BudgetAlert; raw: string; headers: IncomingMessage["headers"]; valid: boolean }

const servers: Server[] = [];
const alertsOpened: BudgetAlerts[] = [];
let env: RedisTestEnv | undefined;
afterEach(async () => {
  await Promise.all(alertsOpened.splice(0).map((a) => a.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await env?.cleanup();
  env = undefined;
});

/** A receiver doing what docs tell users to do; `answer` decides each response's status. */
async function receiver(answer: (n: number, res: ServerResponse) => number | undefined = () => 200,
  clock: () => number = Date.now): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString();
      const valid = verifyWebhookSignature(SECRET, raw, req.headers[SIGNATURE_HEADER] as string | undefined, { nowMs: clock() });
      got.push({ alert: JSON.parse(raw) as BudgetAlert, raw, headers: req.headers, valid });
      const status = answer(++n, res);
      if (status !== undefined) res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/budget`, got };
}

function alerts(settings: BudgetAlertSettings): BudgetAlerts {
  const a = new BudgetAlerts(settings);
  alertsOpened.push(a);
  return a;
}

describe("budget webhooks", () => {
  it("fire once per threshold per period, signed", async () => {
    let t = Date.parse("2024-05-15T10:00:00.000Z");
    const { url, got } = await receiver(undefined, () => t);
    const errors: unknown[] = [];
    const a = alerts({ url, secret: SECRET, now: () => t, onError: (e) => errors.push(e) });
    const guard = new MemoryBudgetGuard({ now: () => t, onSpend: (e) => a.observe(e) });
    const k = [{ id: "key:k1", budgetUsd: 10, period: "daily" as const }];
    for (const cost of [3, 3, 3, 2, 1, 1]) {
      const c = await guard.check(k, 0);
      if (c.ok) c.settle(cost);
      else guard.record(k, cost);
    }
    await a.close();
    expect(errors).toEqual([]);
    expect(got.map((g) => g.alert.threshold_percent)).toEqual([50, 80, 100]);
    for (const g of got) {
      expect(g.valid).toBe(true);
      expect(g.headers[TIMESTAMP_HEADER]).toBe(String(g.alert.timestamp));
      expect(g.headers["content-type"]).toBe("application/json");
      expect(g.alert).toMatchObject({ type: "budget.threshold", subject: "key:k1", period: "daily", period_start: "2024-05-15T00:00:00.000Z", budget_usd: 10 });
    }
    expect(got[0]!.alert.spent_usd).toBe(6);
    expect(new Set(got.map((g) => g.alert.id)).size).toBe(3);

    t = Date.parse("2024-05-16T00:00:01.000Z"); // the next day: the same thresholds again
    guard.record(k, 10);
    await a.close();
    expect(got.map((g) => g.alert.threshold_percent)).toEqual([50, 80, 100, 50, 80, 100]);
    expect(got[3]!.alert.period_start).toBe("2024-05-16T00:00:00.000Z");
  });

  it("signature: tampered bodies, wrong secrets and stale timestamps fail verification", () => {
    const body = JSON.stringify({ id: "alert_x", timestamp: 1_700_000_000 });
    const sig = signWebhookBody(SECRET, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    const nowMs = 1_700_000_000_000;
    expect(verifyWebhookSignature(SECRET, body, sig, { nowMs })).toBe(true);
    expect(verifyWebhookSignature(SECRET, body.replace("alert_x", "alert_y"), sig, { nowMs })).toBe(false);
    expect(verifyWebhookSignature("other", body, sig, { nowMs })).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, sig, { nowMs: nowMs + 301_000 })).toBe(false); // a replay 5 minutes later
    expect(verifyWebhookSignature(SECRET, body, undefined, { nowMs })).toBe(false);
  });

  it("retries 5xx with the same signed bytes, then stops", async () => {
    const { url, got } = await receiver((n) => (n <= 2 ? 503 : 200));
    const sent: BudgetAlert[] = [];
    const a = alerts({ url, secret: SECRET, thresholds: [100], retryDelayMs: 10, onSent: (al) => sent.push(al) });
    a.observe({ subject: "team:t1", period: "total", periodStart: "1970-01-01T00:00:00.000Z", periodEnd: null, addedUsd: 5, spentUsd: 5, budgetUsd: 5 });
    await a.close();
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.raw)).size).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it("a receiver that hangs costs a timeout and an onError, never a throw", async () => {
    const { url } = await receiver(() => undefined); // never answers
    const errors: unknown[] = [];
    const a = alerts({ url, secret: SECRET, thresholds: [50], timeoutMs: 200, retries: 1, retryDelayMs: 10, onError: (e) => errors.push(e) });
    expect(() => a.observe({ subject: "key:k", period: "total", periodStart: "1970-01-01T00:00:00.000Z", periodEnd: null, addedUsd: 1, spentUsd: 1, budgetUsd: 1 })).not.toThrow();
    await a.close();
    expect(errors).toHaveLength(1);
  });

  it("an unreachable URL is reported, not thrown", async () => {
    const errors: unknown[] = [];
    const a = alerts({ url: "http://127.0.0.1:1/nothing", secret: SECRET, thresholds: [50], retries: 0, onError: (e) => errors.push(e) });
    a.observe({ subject: "key:k", period: "total", periodStart: "1970-01-01T00:00:00.000Z", periodEnd: null, addedUsd: 1, spentUsd: 1, budgetUsd: 1 });
    await a.close();
    expect(errors).toHaveLength(1);
  });

  it("two instances sharing a Redis dedup send each alert once", async () => {
    env = new RedisTestEnv();
    const { url, got } = await receiver();
    const make = async () => alerts({ url, secret: SECRET, dedup: new RedisAlertDedup(await env!.client(), env!.prefix) });
    const [a, b] = [await make(), await make()];
    const event = { subject: "key:k1", period: "monthly" as const, periodStart: "2024-05-01T00:00:00.000Z", periodEnd: "2024-06-01T00:00:00.000Z", addedUsd: 1, spentUsd: 9, budgetUsd: 10 };
    a.observe(event);
    b.observe(event);
    b.observe({ ...event, spentUsd: 9.5 });
    await Promise.all([a.close(), b.close()]);
    expect(got.map((g) => g.alert.threshold_percent).sort()).toEqual([50, 80]);
  });

  it("with Redis down, dedup falls back to this instance's memory", async () => {
    env = new RedisTestEnv();
    const { url, got } = await receiver();
    const dead = env.unconnected("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    const a = alerts({ url, secret: SECRET, thresholds: [100], dedup: new RedisAlertDedup(dead, env.prefix) });
    const event = { subject: "key:k1", period: "total" as const, periodStart: "1970-01-01T00:00:00.000Z", periodEnd: null, addedUsd: 1, spentUsd: 10, budgetUsd: 10 };
    a.observe(event);
    a.observe(event);
    await a.close();
    expect(got).toHaveLength(1);
  });
});
