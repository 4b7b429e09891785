/**
 * `liaison usage --since 7d --by model|key|team|provider|day|hour`: GET
 * /admin/usage of a running gateway, as a table (or --json).
 */
import { InvalidArgumentError, type Command } from "commander";
import { adminRequest, STDOUT, table, withConnection, type CliIo, type ConnectionOptions } from "./keys.js";

const GROUPS = ["day", "hour", "key", "team", "model", "provider"] as const;

interface UsageOptions extends ConnectionOptions {
  since?: string;
  until?: string;
  by: (typeof GROUPS)[number];
}

interface UsageRow {
  group: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

function group(value: string): UsageOptions["by"] {
  if (!(GROUPS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${GROUPS.join(", ")}.`);
  return value as UsageOptions["by"];
}

const ms = (v: number | null) => (v === null ? "-" : v.toFixed(1));

export function registerUsageCommand(program: Command, io: CliIo = STDOUT): Command {
  return withConnection(program.command("usage").description("requests, tokens, cost and latency, grouped (through the admin API)"))
    .option("--since <when>", "ISO-8601 time or a span back from now: 30m, 24h, 7d, 2w", "7d")
    .option("--until <when>", "ISO-8601 time or a span back from now")
    .option("--by <group>", `group by ${GROUPS.join("|")}`, group, "model")
    .action(async (opts: UsageOptions) => {
      const q = new URLSearchParams({ group_by: opts.by, ...(opts.since ? { since: opts.since } : {}), ...(opts.until ? { until: opts.until } : {}) });
      const { data } = await adminRequest<{ data: UsageRow[] }>(opts, "GET", `/admin/usage?${q}`);
      if (opts.json) return io.out(`${JSON.stringify(data, null, 2)}\n`);
      io.out(table(
        [opts.by.toUpperCase(), "REQUESTS", "ERRORS", "PROMPT", "COMPLETION", "COST_USD", "P50_MS", "P95_MS"],
        data.map((r) => [r.group ?? "-", String(r.requests), String(r.errors), String(r.prompt_tokens), String(r.completion_tokens), r.cost_usd.toFixed(6), ms(r.p50_ms), ms(r.p95_ms)]),
      ));
    });
}
