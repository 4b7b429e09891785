/**
 * `./.env` through the real CLI (`node bin/liaison.js`, built): zero-config
 * takes a provider from it, and a variable already in the environment wins
 * over the file. Needs `npm run build` first, as the other CLI tests do.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
// What zero-config reads, taken out of the environment the CLI inherits so only the test's values count.
const OURS = /^(OPENAI_|AZURE_OPENAI_|ANTHROPIC_|GEMINI_|OLLAMA_|GROQ_|TOGETHER_|MISTRAL_|DEEPSEEK_|OPENROUTER_|FIREWORKS_|AWS_|LIAISON_)/;

let fake: FakeServer;
let dir: string;
const running: ChildProcess[] = [];

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OURS.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** `liaison serve` in `cwd` with no config file: zero-config from the environment (and ./.env). */
async function serve(cwd: string, env: Record<string, string> = {}): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, "serve", "--port", "0"], { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  running.push(proc);
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    proc.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`liaison exited with ${code}; stderr:\n${stderr}`)));
  });
  return { url, proc };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise((resolve) => {
    proc.once("exit", resolve);
    proc.kill("SIGTERM");
  });
}

/** The key the upstream received for one chat call through the gateway. */
async function keySeenUpstream(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "which key?" }] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-liaison-provider")).toBe("openai");
  await res.text();
  return fake.requests.at(-1)?.headers.authorization;
}

beforeAll(async () => {
  fake = await startOpenAIFake();
  dir = mkdtempSync(join(tmpdir(), "liaison-dotenv-"));
  writeFileSync(join(dir, ".env"), [
    "# what zero-config reads, as in .env.example",
    "OPENAI_API_KEY=sk-from-dotenv",
    `OPENAI_BASE_URL="${fake.url}"`,
    "LIAISON_STORAGE_URL=memory:",
    "",
  ].join("\n"));
});
afterAll(async () => {
  await Promise.all(running.map(stop));
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("./.env", () => {
  it("configures zero-config's providers", async () => {
    const { url, proc } = await serve(dir);
    expect(await keySeenUpstream(url)).toBe("Bearer sk-from-dotenv");
    await stop(proc);
  });

  it("loses to a variable already in the environment", async () => {
    const { url, proc } = await serve(dir, { OPENAI_API_KEY: "sk-from-env" });
    // The key from the environment; the base URL, which the environment does not set, still from .env.
    expect(await keySeenUpstream(url)).toBe("Bearer sk-from-env");
    await stop(proc);
  });

  it("an unreadable .env stops the CLI, naming it", () => {
    const odd = mkdtempSync(join(tmpdir(), "liaison-dotenv-dir-"));
    mkdirSync(join(odd, ".env"));
    const r = spawnSync(process.execPath, [BIN, "prices", "check"], { cwd: odd, env: cleanEnv(), encoding: "utf8" });
    rmSync(odd, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^liaison: \.env: cannot read the environment file/);
  });
});
