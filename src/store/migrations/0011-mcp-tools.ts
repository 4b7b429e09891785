import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * teams.mcp_tools and api_keys.mcp_tools: the MCP tools (globs over
 * `SERVER__tool` names) a key or team may list and call; null = every tool.
 */
export function mcpTools(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("teams").addColumn("mcp_tools", t.json).execute();
      await db.schema.alterTable("api_keys").addColumn("mcp_tools", t.json).execute();
    },
    async down(db) {
      await db.schema.alterTable("api_keys").dropColumn("mcp_tools").execute();
      await db.schema.alterTable("teams").dropColumn("mcp_tools").execute();
    },
  };
}
