/**
 * Hot reload through the real CLI: POST /admin/reload and SIGHUP re-read the
 * config file; models, targets, providers and prices change without a
 * restart and without one failed request under load; an invalid file is
 * refused (422 with the reason) and the old config keeps serving; sections
 * that need a restart are named.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "sk-admin-reload-test-0001";

function configWith(models: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    admin_key: ADMIN,
    logging: { level: "info", flush_interval_ms: 20 },
    providers: { first: { type: "mock" }, second: { type: "mock" } },
    models,
    ...extra,
  };
}

const START = configWith({ smart: { targets: [{ provider: "first", model: "echo", price: { input: 1, output: 1 } }] } });

let gw: CliServer;

function writeConfig(config: Record<string, unknown>): void {
  writeFileSync(join(gw.dir, "liaison.yaml"), stringify({ storage: { url: `sqlite://${gw.dbPath}` }, ...config }));
}

async function chat(model: string, key = ADMIN): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello there" }] }),
  });
}

async function reload(key = ADMIN): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}/admin/reload`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  gw = await startCli(START);
});
afterAll(async () => {
  await gw?.dispose();
});

describe("hot reload", () => {
  it("applies new models, targets and prices under load with no failed request", async () => {
    const before = await chat("smart");
    expect(before.headers.get("x-liaison-provider")).toBe("first");
    const costBefore = Number(before.headers.get("x-liaison-cost-usd"));
    expect((await chat("fresh")).status).toBe(404);

    // Eight clients send requests back to back while the config is rewritten and reloaded.
    let stop = false;
    const failures: string[] = [];
    let sent = 0;
    const client = async () => {
      while (!stop) {
        const res = await chat("smart");
        sent++;
        if (res.status !== 200) failures.push(`${res.status} ${await res.text()}`);
        else await res.arrayBuffer();
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((r) => setTimeout(r, 200));
    writeConfig(configWith({
      smart: { targets: [{ provider: "second", model: "echo", price: { input: 1000, output: 1000 } }] },
      fresh: { targets: [{ provider: "first", model: "echo" }] },
    }));
    const { status, body } = await reload();
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(clients);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "reloaded", restart_required: [] });
    expect(body.changed).toEqual(["models"]);
    expect(sent).toBeGreaterThan(20);
    expect(failures).toEqual([]);

    const after = await chat("smart");
    expect(after.headers.get("x-liaison-provider")).toBe("second");
    expect(Number(after.headers.get("x-liaison-cost-usd"))).toBeCloseTo(costBefore * 1000, 9);
    expect((await chat("fresh")).status).toBe(200);
  });

  it("refuses an invalid config with 422 and the reason, and keeps serving the old one", async () => {
    writeConfig(configWith({ smart: { targets: [{ provider: "nowhere", model: "echo" }] } }));
    const { status, body } = await reload();
    expect(status).toBe(422);
    const error = body.error as { code: string; message: string; type: string };
    expect(error.code).toBe("invalid_config");
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toMatch(/old one keeps serving/);
    expect(error.message).toMatch(/nowhere/);
    const still = await chat("smart");
    expect(still.status).toBe(200);
    expect(still.headers.get("x-liaison-provider")).toBe("second");
    expect(gw.stderr()).toMatch(/configuration reload refused/);
  });

  it("names the sections that need a restart and keeps them as they were", async () => {
    writeConfig(configWith({ smart: { targets: [{ provider: "second", model: "echo" }] } }, { server: { port: 1234, body_limit_mb: 1 } }));
    const { status, body } = await reload();
    expect(status).toBe(200);
    expect(body.restart_required).toEqual(["server"]);
    // Still listening where it was (the request reached it).
    expect((await chat("smart")).status).toBe(200);
  });

  it("reloads on SIGHUP", async () => {
    writeConfig(configWith({ smart: { targets: [{ provider: "first", model: "echo" }] }, hup: { targets: [{ provider: "second", model: "echo" }] } }));
    gw.proc.kill("SIGHUP");
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await chat("hup")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });

  it("is for admins only: a member key gets 403", async () => {
    const created = await fetch(`${gw.url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "someone", role: "manager" }),
    });
    const { key } = (await created.json()) as { key: string };
    const { status, body } = await reload(key);
    expect(status).toBe(403);
    expect((body.error as { type: string }).type).toBe("permission_error");
  });
});
