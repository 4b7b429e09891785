/**
 * What the benchmark scripts share: child processes that announce
 * "listening on <url>", stopped by their own handle, and the gateway config
 * they run with (one model routed to the fake upstream, request logging on).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";

export interface Proc { url: string; child: ChildProcess }

export function startProcess(args: string[], cwd: string, command = process.execPath): Promise<Proc> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

export function stopProcess(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once("exit", () => resolve());
    p.child.kill("SIGTERM");
  });
}

/** Writes a gateway config: SQLite request log at `dbPath`, gpt-4o-mini routed to the fake; `extra` lines are appended. */
export function writeGatewayConfig(path: string, dbPath: string, fakeUrl: string, extra: string[] = []): string {
  writeFileSync(path, [
    `storage: { url: "sqlite://${dbPath}" }`,
    "logging: { level: warn, requests: true }",
    "providers:",
    `  up: { type: openai, base_url: "${fakeUrl}/v1", api_key: bench }`,
    "models:",
    "  gpt-4o-mini: { targets: [ { provider: up, model: gpt-4o-mini } ] }",
    ...extra,
    "",
  ].join("\n"));
  return path;
}
