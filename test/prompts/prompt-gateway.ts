/**
 * What the prompt registry's end-to-end tests share: the real CLI
 * (`bin/liaison.js`) run in a project folder of their own — `serve` reads
 * `./prompts` from its working directory, which test/helpers/cli-server.ts
 * does not let a test choose — and a small JSON client for the HTTP API.
 */
import { execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
const NO_KEYS = { OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", GEMINI_API_KEY: "" };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field in assertions
export type Json = any;

/** Runs `liaison ARGS` in `cwd` to its end. */
export function liaison(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...NO_KEYS }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface Served {
  url: string;
  stderr: () => string;
  /** SIGTERM and wait for the exit (logs flushed). */
  stop(): Promise<void>;
}

/** Writes `config` to DIR/liaison.yaml and starts `liaison serve` in DIR on a free port. */
export async function serveIn(dir: string, config: Record<string, unknown>): Promise<Served> {
  writeFileSync(join(dir, "liaison.yaml"), stringify(config));
  const proc = spawn(process.execPath, [BIN, "serve", "--port", "0"], { cwd: dir, env: { ...process.env, ...NO_KEYS }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in time; stderr:\n${stderr}`)), 20_000);
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
      reject(new Error(`the gateway exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  return {
    url,
    stderr: () => stderr,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
      setTimeout(() => proc.kill("SIGKILL"), 15_000).unref();
    }),
  };
}

/** A JSON client for one gateway: `api(method, path, {key, body})` → status and parsed body. */
export function apiOf(url: string, defaultKey: string) {
  return async (method: string, path: string, o: { key?: string; body?: unknown } = {}): Promise<{ status: number; body: Json; headers: Headers }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${o.key ?? defaultKey}` };
    if (o.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${url}${path}`, { method, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}
