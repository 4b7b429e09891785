/**
 * The fake as a separate process, the way benchmarks run it: one
 * `listening on` line, a working API, a clean exit on SIGTERM.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("./serve-openai-fake.ts", import.meta.url));

it("prints one listening line, serves, and exits 0 on SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, "--port", "0", "--fast", "--reply", "bench reply", "--stream-chunks", "2"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (data: string) => {
      stdout += data;
    });
    while (!stdout.includes("\n")) await once(child.stdout, "data");
    expect(stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const origin = stdout.trim().slice("listening on ".length);

    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: "x", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] });
    const pieces: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
    expect(pieces).toEqual(["bench", " reply"]);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stdout.split("\n").filter(Boolean)).toHaveLength(1);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
