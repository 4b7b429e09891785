import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/keys/principal.js";
import { can, readScope, type Resource } from "../../src/keys/roles.js";
import type { ApiKeyRecord, Role } from "../../src/store/keys/types.js";

function keyPrincipal(role: Role, team_id: string | null = "team_a"): Principal {
  const key = { id: `key_${role}`, role, team_id } as ApiKeyRecord;
  return { kind: "key", key };
}

const admin: Principal = { kind: "admin" };
const open: Principal = { kind: "admin", open: true };

describe("can()", () => {
  const own = "team_a";
  const other = "team_b";
  // [resource, action, admin, manager(team_a), member, viewer(team_a), viewer(no team)]
  const table: Array<[Resource, "create" | "read" | "update" | "delete" | "call", boolean, boolean, boolean, boolean, boolean]> = [
    [{ type: "model" }, "call", true, true, true, false, false],
    [{ type: "key", team_id: own, role: "member" }, "create", true, true, false, false, false],
    [{ type: "key", team_id: own, role: "admin" }, "create", true, false, false, false, false],
    [{ type: "key", team_id: other, role: "member" }, "create", true, false, false, false, false],
    [{ type: "key", team_id: null, role: "member" }, "create", true, false, false, false, false],
    [{ type: "key", team_id: own }, "read", true, true, false, false, false],
    [{ type: "key", team_id: other }, "read", true, false, false, false, false],
    [{ type: "key", team_id: own, role: "viewer" }, "update", true, true, false, false, false],
    [{ type: "key", team_id: own, role: "member" }, "delete", true, true, false, false, false],
    [{ type: "key", team_id: other, role: "member" }, "delete", true, false, false, false, false],
    [{ type: "team", id: null }, "create", true, false, false, false, false],
    [{ type: "team", id: null }, "read", true, false, false, false, false],
    [{ type: "team", id: own }, "read", true, true, false, false, false],
    [{ type: "team", id: other }, "read", true, false, false, false, false],
    [{ type: "team", id: own }, "update", true, false, false, false, false],
    [{ type: "logs", team_id: null }, "read", true, false, false, false, true],
    [{ type: "logs", team_id: own }, "read", true, true, false, true, true],
    [{ type: "logs", team_id: other }, "read", true, false, false, false, true],
    [{ type: "usage", team_id: null }, "read", true, false, false, false, true],
    [{ type: "usage", team_id: own }, "read", true, true, false, true, true],
    [{ type: "usage", team_id: other }, "read", true, false, false, false, true],
    [{ type: "usage", team_id: own }, "delete", true, false, false, false, false],
    [{ type: "providers" }, "read", true, true, false, true, true],
  ];
  for (const [resource, action, ...expected] of table) {
    it(`${action} ${JSON.stringify(resource)}`, () => {
      const got = [admin, keyPrincipal("manager"), keyPrincipal("member"), keyPrincipal("viewer"), keyPrincipal("viewer", null)].map((p) => can(p, action, resource));
      expect(got).toEqual(expected);
      expect(can(open, action, resource)).toBe(true);
      expect(can(keyPrincipal("admin", "team_x"), action, resource)).toBe(true);
    });
  }

  it("a manager without a team manages nothing", () => {
    const m = keyPrincipal("manager", null);
    expect(can(m, "create", { type: "key", team_id: null, role: "member" })).toBe(false);
    expect(can(m, "read", { type: "usage", team_id: null })).toBe(false);
    expect(readScope(m, "key")).toBeNull();
  });
});

describe("readScope()", () => {
  it("gives admins everything, managers their team, viewers logs and usage, members nothing", () => {
    expect(readScope(admin, "key")).toEqual({ all: true });
    expect(readScope(keyPrincipal("manager"), "key")).toEqual({ all: false, team_id: "team_a" });
    expect(readScope(keyPrincipal("manager"), "team")).toEqual({ all: false, team_id: "team_a" });
    expect(readScope(keyPrincipal("manager"), "usage")).toEqual({ all: false, team_id: "team_a" });
    expect(readScope(keyPrincipal("viewer"), "logs")).toEqual({ all: false, team_id: "team_a" });
    expect(readScope(keyPrincipal("viewer", null), "logs")).toEqual({ all: true });
    expect(readScope(keyPrincipal("viewer"), "key")).toBeNull();
    expect(readScope(keyPrincipal("member"), "logs")).toBeNull();
    expect(readScope(keyPrincipal("member"), "team")).toBeNull();
  });
});
