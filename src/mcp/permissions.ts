/**
 * Which MCP names a caller may see and use: a key's `mcp_tools` globs and its
 * team's, over the gateway's `SERVER__name` names (tools, and prompts and
 * resources alike). Both lists must allow a name (the intersection); an unset
 * list (null) allows everything, an empty one nothing. The admin key, and
 * anyone in dev mode, may use everything. Globs match as the keys' `models`
 * do (engine/quotas modelAllowed): `*` any run, `?` one character, whole name.
 */
import { modelAllowed } from "../engine/quotas/index.js";
import type { Principal } from "../keys/principal.js";

export function globsAllow(globs: string[] | null | undefined, name: string): boolean {
  if (globs === null || globs === undefined) return true;
  return globs.length > 0 && modelAllowed({ models: globs }, name);
}

export function mayUse(principal: Principal, name: string): boolean {
  if (principal.kind !== "key") return true;
  return globsAllow(principal.key.mcp_tools, name) && globsAllow(principal.team?.mcp_tools, name);
}
