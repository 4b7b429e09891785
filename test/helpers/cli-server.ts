/**
 * Starts the real CLI (`node bin/liaison.js serve`) on port 0 with a config
 * written to a temp dir, and stops it by its own handle.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;

export interface CliServer {
  url: string;
  /** Directory holding the config (and the SQLite file unless storage says otherwise). */
  dir: string;
  dbPath: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** stop(), then remove the temp dir. */
  dispose(): Promise<void>;
}

export async function startCli(config: Record<string, unknown>, options: { env?: Record<string, string>; args?: string[] } = {}): Promise<CliServer> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-e2e-"));
  const dbPath = join(dir, "liaison.db");
  const full = { storage: { url: `sqlite://${dbPath}` }, logging: { level: "warn" }, ...config };
  const configPath = join(dir, "liaison.yaml");
  writeFileSync(configPath, stringify(full));
  const proc = spawn(process.execPath, [BIN, "serve", "--config", configPath, "--port", "0", ...(options.args ?? [])], {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not start in time; stderr:\n${stderr}`)), 20_000);
    proc.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  let exited: Promise<number | null> | undefined;
  const server: CliServer = {
    url,
    dir,
    dbPath,
    proc,
    stderr: () => stderr,
    stop() {
      exited ??= new Promise<number | null>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once("exit", (code) => resolve(code));
        proc.kill("SIGTERM");
        // Never leave a process behind, even if shutdown hangs.
        setTimeout(() => proc.kill("SIGKILL"), 15_000).unref();
      });
      return exited;
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      // The suite fails on any unhandled rejection or uncaught exception in a server it started, not only in its own process.
      const stray = /"site":"unhandled_rejection"|uncaught exception/.exec(stderr);
      if (stray) throw new Error(`the gateway reported an ${stray[0].includes("unhandled") ? "unhandled rejection" : "uncaught exception"}; its stderr:\n${stderr.slice(-4000)}`);
    },
  };
  return server;
}
