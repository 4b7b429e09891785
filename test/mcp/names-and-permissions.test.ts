/** SERVER__tool names, and who may use them: a key's mcp_tools and its team's, intersected. */
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/keys/principal.js";
import { globsAllow, mayUse, qualify, splitName } from "../../src/mcp/index.js";
import type { ApiKeyRecord, TeamRecord } from "../../src/store/keys/types.js";

describe("tool names", () => {
  it("joins and splits at the first __ (a server name never holds one)", () => {
    expect(qualify("docs", "search")).toBe("docs__search");
    expect(splitName("docs__search")).toEqual({ server: "docs", name: "search" });
    expect(splitName("docs__a__b")).toEqual({ server: "docs", name: "a__b" });
    expect(splitName("docs___x")).toEqual({ server: "docs", name: "_x" });
    for (const bad of ["docs", "__x", "docs__", ""]) expect(splitName(bad), bad).toBeUndefined();
  });
});

function keyPrincipal(keyTools: string[] | null, teamTools?: string[] | null): Principal {
  const key = { id: "key_1", role: "member", team_id: teamTools === undefined ? null : "team_1", mcp_tools: keyTools } as ApiKeyRecord;
  return teamTools === undefined ? { kind: "key", key } : { kind: "key", key, team: { id: "team_1", mcp_tools: teamTools } as TeamRecord };
}

describe("mcp_tools", () => {
  it("null allows every tool, an empty list none, globs as the models' do", () => {
    expect(globsAllow(null, "docs__echo")).toBe(true);
    expect(globsAllow(undefined, "docs__echo")).toBe(true);
    expect(globsAllow([], "docs__echo")).toBe(false);
    expect(globsAllow(["docs__*"], "docs__echo")).toBe(true);
    expect(globsAllow(["docs__*"], "web__echo")).toBe(false);
    expect(globsAllow(["*__echo"], "web__echo")).toBe(true);
    expect(globsAllow(["docs__ech?"], "docs__echo")).toBe(true);
    expect(globsAllow(["docs__echo"], "docs__echo2")).toBe(false);
  });

  it("key and team together allow the intersection; the admin key everything", () => {
    expect(mayUse({ kind: "admin" }, "anything__at_all")).toBe(true);
    expect(mayUse(keyPrincipal(null), "docs__echo")).toBe(true);
    expect(mayUse(keyPrincipal(["docs__*"]), "web__search")).toBe(false);
    expect(mayUse(keyPrincipal(null, ["web__*"]), "web__search")).toBe(true);
    expect(mayUse(keyPrincipal(null, ["web__*"]), "docs__echo")).toBe(false);
    const both = keyPrincipal(["docs__*", "web__search"], ["web__*"]);
    expect(mayUse(both, "web__search")).toBe(true);
    expect(mayUse(both, "docs__echo")).toBe(false);
    expect(mayUse(both, "web__fetch")).toBe(false);
    expect(mayUse(keyPrincipal(null, []), "docs__echo")).toBe(false);
  });
});
