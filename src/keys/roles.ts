/**
 * Who may do what. Pure functions of the principal and the
 * resource, so every admin route asks the same question the same way and the
 * whole policy reads in one screen:
 *
 * | role     | models | keys            | teams          | logs, usage     | providers |
 * |----------|--------|-----------------|----------------|-----------------|-----------|
 * | admin    | call   | all             | all            | all             | read      |
 * | manager  | call   | own team's (no admin role) | read own | own team's | read      |
 * | member   | call   | —               | —              | —               | —         |
 * | viewer   | —      | —               | —              | read (own team's if in one, else all) | read |
 *
 * The config admin key (and dev mode with no admin key) is an admin.
 * Provider health carries no tenant data, so every role that reads the admin
 * API may read it.
 */
import type { Role } from "../store/keys/types.js";
import type { Principal } from "./principal.js";

export type Action = "create" | "read" | "update" | "delete" | "call";

export type Resource =
  /** One key: an existing one, or the one a create/update would produce (its team and role). */
  | { type: "key"; team_id: string | null; role?: Role }
  /** One team; id null = the collection (creating a team, listing every team). */
  | { type: "team"; id: string | null }
  /** Logs or usage of one team; team_id null = of everyone. */
  | { type: "logs"; team_id: string | null }
  | { type: "usage"; team_id: string | null }
  | { type: "providers" }
  /** Calling models (/v1/*); which models is the limits' business (allow-lists). */
  | { type: "model" };

export function roleOf(principal: Principal): Role {
  return principal.kind === "admin" ? "admin" : principal.key.role;
}

function teamOf(principal: Principal): string | null {
  return principal.kind === "key" ? principal.key.team_id : null;
}

export function can(principal: Principal, action: Action, resource: Resource): boolean {
  const role = roleOf(principal);
  if (role === "admin") return true;
  const team = teamOf(principal);
  switch (resource.type) {
    case "model":
      return action === "call" && role !== "viewer";
    case "providers":
      return action === "read" && role !== "member";
    case "key":
      // A manager runs their team's keys but cannot mint an admin (that would be their way out of the team).
      return role === "manager" && team !== null && resource.team_id === team && resource.role !== "admin" && action !== "call";
    case "team":
      return role === "manager" && action === "read" && team !== null && resource.id === team;
    case "logs":
    case "usage":
      if (action !== "read") return false;
      if (role === "manager") return team !== null && resource.team_id === team;
      if (role === "viewer") return team === null || resource.team_id === team;
      return false;
  }
}

/** What a list route may show: everything, one team's rows, or nothing (403). */
export type ReadScope = { all: true } | { all: false; team_id: string } | null;

export function readScope(principal: Principal, type: "key" | "team" | "logs" | "usage"): ReadScope {
  if (can(principal, "read", type === "key" ? { type, team_id: null } : type === "team" ? { type, id: null } : { type, team_id: null })) {
    return { all: true };
  }
  const team = teamOf(principal);
  if (team === null) return null;
  const own = type === "key" ? can(principal, "read", { type, team_id: team }) : type === "team" ? can(principal, "read", { type, id: team }) : can(principal, "read", { type, team_id: team });
  return own ? { all: false, team_id: team } : null;
}
