/**
 * Memory budget: without tracing or Sentry configured, not one module of the
 * OpenTelemetry packages or of Sentry may be loaded. Checked in a child
 * process whose module resolution is recorded by a loader hook; the
 * configured runs are the control that shows the hook sees those packages.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HOOK = fileURLToPath(new URL("./fixtures/record-imports.mjs", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./fixtures/load-telemetry.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "liaison-lazy-"));
let run = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildResult {
  loaded: string[];
  out: { traceId: string | null; upstream?: string; tracing: boolean; reporter: boolean; warnings: string[] };
}

async function load(config: object, env: Record<string, string> = {}): Promise<ChildResult> {
  const log = join(dir, `imports-${run++}.log`);
  writeFileSync(log, "");
  const child = spawn(process.execPath, ["--import", "tsx", "--import", HOOK, SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, IMPORT_LOG: log, TELEMETRY_CONFIG: JSON.stringify(config), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`child exited ${code}: ${stderr}`);
  const loaded = readFileSync(log, "utf8").split("\n").filter(Boolean)
    .map((url) => /\/node_modules\/(@[^/]+\/[^/]+)\//.exec(url)?.[1] ?? url);
  return { loaded: [...new Set(loaded)], out: JSON.parse(stdout.trim().split("\n").at(-1)!) };
}

const CLIENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("lazy loading", () => {
  it("loads nothing from OpenTelemetry or Sentry when neither is configured", async () => {
    const { loaded, out } = await load({ tracing: { enabled: false, service_name: "x", sample_ratio: 1 } });
    expect(loaded).toEqual([]);
    // …and the client's trace is still carried through.
    expect(out).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", upstream: CLIENT, tracing: false, reporter: false });
  });

  it("loads the SDK and Sentry when they are configured (the hook sees them)", async () => {
    const { loaded, out } = await load({
      // Port 9 (discard) on loopback: nothing is exported since no span ends.
      tracing: { enabled: true, endpoint: "http://127.0.0.1:9", service_name: "x", sample_ratio: 1 },
      sentry: { dsn: "http://key@127.0.0.1:9/1" },
    });
    expect(loaded).toEqual(expect.arrayContaining(["@opentelemetry/api", "@opentelemetry/sdk-trace-base", "@opentelemetry/exporter-trace-otlp-http", "@sentry/node"]));
    expect(out).toMatchObject({ tracing: true, reporter: true, traceId: "4bf92f3577b34da6a3ce929d0e0e4736" });
    expect(out.upstream).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(out.upstream).not.toBe(CLIENT);
  });

  it("warns once and carries on when @sentry/node is not installed", async () => {
    const { out } = await load({ sentry: { dsn: "http://key@127.0.0.1:9/1" } }, { BLOCK_SENTRY: "1" });
    expect(out.reporter).toBe(false);
    expect(out.warnings).toEqual([expect.stringContaining("@sentry/node could not be loaded")]);
  });
});
