/**
 * The gateway's names for what its MCP servers offer: `SERVER__name`. A
 * server's name never holds `__` (the config schema says so), so the first
 * `__` always separates the server from its own name, whatever that holds.
 */

export const SEPARATOR = "__";

export function qualify(server: string, name: string): string {
  return `${server}${SEPARATOR}${name}`;
}

/** `docs__search` → { server: "docs", name: "search" }; undefined when the name has no server part. */
export function splitName(full: string): { server: string; name: string } | undefined {
  const at = full.indexOf(SEPARATOR);
  if (at <= 0 || at + SEPARATOR.length >= full.length) return undefined;
  return { server: full.slice(0, at), name: full.slice(at + SEPARATOR.length) };
}
