/** Virtual keys end to end: the real CLI server, keys made with the real `liaison keys` command, used with the openai client. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const run = promisify(execFile);
const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
const ADMIN = "sk-e2e-admin";

let server: CliServer;
beforeAll(async () => {
  server = await startCli({ admin_key: ADMIN, providers: { demo: { type: "mock" } } });
});
afterAll(() => server.dispose());

async function liaison(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, LIAISON_URL: server.url, LIAISON_ADMIN_KEY: ADMIN } });
  return stdout;
}

describe("virtual keys end to end", () => {
  it("a key made with the CLI calls models; a viewer's may not; a revoked one stops at once", async () => {
    const team = JSON.parse(await liaison("teams", "create", "e2e", "--json"));
    const member = JSON.parse(await liaison("keys", "create", "app", "--team", team.id, "--json"));
    const viewer = JSON.parse(await liaison("keys", "create", "dash", "--team", team.id, "--role", "viewer", "--json"));

    const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const res = await client(member.key).chat.completions.create({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]!.message.content).toBeTruthy();

    await expect(client(viewer.key).chat.completions.create({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] }))
      .rejects.toMatchObject({ status: 403 });

    await liaison("keys", "revoke", member.id);
    await expect(client(member.key).chat.completions.create({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] }))
      .rejects.toMatchObject({ status: 401 });

    expect(await liaison("keys", "list")).toMatch(/app\s+lsk_\w{8}\s+team_\w+\s+member\s+-\s+-\s+revoked/);
  });
});
