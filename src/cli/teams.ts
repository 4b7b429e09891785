/**
 * `liaison teams create|list|show|update`: teams through the admin API
 * (DESIGN.md §2). A team's limits and budget apply to all its keys together.
 */
import type { Command } from "commander";
import {
  adminRequest, budgetSummary, details, LIMIT_FIELDS, limitBody, limitsSummary, table, withConnection, withLimits,
  type CliIo, type ConnectionOptions, type LimitOptions,
} from "./keys.js";

interface TeamView {
  id: string;
  name: string;
  models: string[] | null;
  mcp_tools: string[] | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: string | null;
  created_at: string;
}

type TeamOptions = ConnectionOptions & LimitOptions & { name?: string };

/** A glob list as a table cell: `*` when unset (everything), `-` when empty (nothing). */
function globsCell(globs: string[] | null | undefined): string {
  if (globs === null || globs === undefined) return "*";
  return globs.length ? globs.join(",") : "-";
}

const STDOUT: CliIo = { out: (text) => void process.stdout.write(text) };

export function registerTeamCommands(program: Command, io: CliIo = STDOUT): Command {
  const teams = program.command("teams").description("manage teams (through the admin API of a running gateway)");
  const print = (opts: ConnectionOptions, value: unknown, text: () => string) => io.out(opts.json ? `${JSON.stringify(value, null, 2)}\n` : text());

  withConnection(withLimits(teams.command("create").argument("<name>", "a unique team name").description("create a team")))
    .action(async (name: string, opts: TeamOptions) => {
      const team = await adminRequest<TeamView>(opts, "POST", "/admin/teams", { ...limitBody(opts), name });
      print(opts, team, () => details({ ...team }));
    });

  withConnection(teams.command("list").description("list teams"))
    .action(async (opts: TeamOptions) => {
      const { data } = await adminRequest<{ data: TeamView[] }>(opts, "GET", "/admin/teams");
      print(opts, data, () => table(
        ["ID", "NAME", "MODELS", "MCP TOOLS", "LIMITS", "BUDGET", "CREATED"],
        data.map((t) => [t.id, t.name, t.models ? t.models.join(",") : "*", globsCell(t.mcp_tools), limitsSummary(t), budgetSummary(t), t.created_at]),
      ));
    });

  withConnection(teams.command("show").argument("<id>").description("show one team"))
    .action(async (id: string, opts: TeamOptions) => {
      const team = await adminRequest<TeamView>(opts, "GET", `/admin/teams/${encodeURIComponent(id)}`);
      print(opts, team, () => details({ ...team }));
    });

  withConnection(withLimits(teams.command("update").argument("<id>").description("rename a team or change its limits"), LIMIT_FIELDS).option("--name <name>", "new name"))
    .action(async (id: string, opts: TeamOptions) => {
      const body = limitBody(opts);
      if (opts.name !== undefined) body.name = opts.name;
      if (Object.keys(body).length === 0) throw new Error("nothing to update: pass at least one option (see --help)");
      const team = await adminRequest<TeamView>(opts, "PATCH", `/admin/teams/${encodeURIComponent(id)}`, body);
      print(opts, team, () => details({ ...team }));
    });

  return teams;
}

