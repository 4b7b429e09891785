/** `liaison keys …` and `liaison teams …` against the admin routes over real HTTP. */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerKeyCommands } from "../../src/cli/keys.js";
import { registerTeamCommands } from "../../src/cli/teams.js";
import { ADMIN_KEY, startAdminApp, type AdminApp } from "./admin-app.js";

let env: AdminApp;
beforeAll(async () => { env = await startAdminApp(); });
afterAll(() => env.close());

async function liaison(...args: string[]): Promise<string> {
  let out = "";
  const io = { out: (text: string) => { out += text; } };
  const program = new Command().name("liaison").exitOverride().configureOutput({ writeErr: () => {} });
  registerKeyCommands(program, io);
  registerTeamCommands(program, io);
  await program.parseAsync(["node", "liaison", ...args, "--url", env.url, "--admin-key", ADMIN_KEY]);
  return out;
}

describe("liaison keys / teams", () => {
  it("creates a team and a key, lists, shows, updates and revokes them", async () => {
    const team = JSON.parse(await liaison("teams", "create", "platform", "--rpm", "100", "--budget-usd", "20", "--budget-period", "monthly", "--json"));
    expect(team).toMatchObject({ name: "platform", rpm: 100, budget_usd: 20, budget_period: "monthly" });

    const text = await liaison("keys", "create", "ci-bot", "--team", team.id, "--role", "member", "--models", "gpt-4o*,claude-*",
      "--tpm", "5000", "--expires-in", "30d", "--metadata", "env=ci", "--metadata", '{"owner":"ana"}');
    const secret = /^(lsk_\S+)$/m.exec(text)![1]!;
    expect(text).toContain("shown once");
    const id = /^id\s+(\S+)$/m.exec(text)![1]!;

    const list = await liaison("keys", "list", "--team", team.id);
    expect(list.split("\n")[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+TEAM\s+ROLE/);
    expect(list).toContain(secret.slice(0, 12));
    expect(list).not.toContain(secret);
    expect(list).toContain("5000 tpm");
    expect(list).toContain("active");

    const shown = JSON.parse(await liaison("keys", "show", id, "--json"));
    expect(shown).toMatchObject({ id, name: "ci-bot", models: ["gpt-4o*", "claude-*"], metadata: { env: "ci", owner: "ana" }, tpm: 5000 });
    expect(Date.parse(shown.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const updated = JSON.parse(await liaison("keys", "update", id, "--rpm", "7", "--clear", "tpm,models", "--json"));
    expect(updated).toMatchObject({ rpm: 7, tpm: null, models: null });

    expect(await liaison("keys", "revoke", id)).toMatch(new RegExp(`^revoked ${id}`));
    expect(await liaison("keys", "list")).toContain("revoked");

    expect(await liaison("teams", "list")).toMatch(/platform\s+\*\s+\*\s+100 rpm\s+\$20 monthly/);
    expect(JSON.parse(await liaison("teams", "update", team.id, "--name", "platform-2", "--json")).name).toBe("platform-2");
    expect(await liaison("teams", "show", team.id)).toMatch(/^name\s+platform-2$/m);
  });

  it("sets, lists and clears the MCP tools of keys and teams (--mcp-tools)", async () => {
    const team = JSON.parse(await liaison("teams", "create", "agents", "--mcp-tools", "docs__*,web__search", "--json"));
    expect(team.mcp_tools).toEqual(["docs__*", "web__search"]);
    expect(await liaison("teams", "list")).toMatch(/agents\s+\*\s+docs__\*,web__search\s+-/);
    const key = JSON.parse(await liaison("keys", "create", "bot", "--team", team.id, "--mcp-tools", "docs__echo", "--json"));
    expect(JSON.parse(await liaison("keys", "show", key.id, "--json")).mcp_tools).toEqual(["docs__echo"]);
    expect(JSON.parse(await liaison("keys", "update", key.id, "--mcp-tools", "", "--json")).mcp_tools).toEqual([]);
    expect(JSON.parse(await liaison("keys", "update", key.id, "--clear", "mcp_tools", "--json")).mcp_tools).toBeNull();
    expect(JSON.parse(await liaison("teams", "update", team.id, "--clear", "mcp-tools", "--json")).mcp_tools).toBeNull();
  });

  it("fails with the gateway's own message", async () => {
    await expect(liaison("keys", "show", "key_nope")).rejects.toThrow(/404 key_not_found\): No key with id 'key_nope'/);
    await liaison("teams", "create", "dup");
    await expect(liaison("teams", "create", "dup")).rejects.toThrow(/409 team_name_taken/);
    await expect(liaison("keys", "update", "key_x")).rejects.toThrow(/nothing to update/);
    await expect(liaison("keys", "create", "x", "--rpm", "-3")).rejects.toThrow(/positive whole number/);
  });

  it("says when the gateway cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const program = new Command().exitOverride();
    registerKeyCommands(program, { out: () => {} });
    await expect(program.parseAsync(["node", "liaison", "keys", "list", "--url", `http://127.0.0.1:${port}`])).rejects.toThrow(/cannot reach the gateway at http:\/\/127.0.0.1:\d+: ECONNREFUSED/);
  });
});
