/**
 * `liaison keys create|list|show|update|revoke`: the admin API (DESIGN.md §2)
 * over HTTP, so the CLI works against any running gateway, local or not.
 * The small admin client and table printer below are shared with teams.ts.
 */
import { InvalidArgumentError, type Command } from "commander";
import { formatUsd } from "../cost/cost.js";

export interface CliIo {
  out: (text: string) => void;
}

export const STDOUT: CliIo = { out: (text) => void process.stdout.write(text) };

export interface ConnectionOptions {
  url?: string;
  adminKey?: string;
  json?: boolean;
}

/** --url, --admin-key and --json on a leaf command (env defaults: LIAISON_URL, LIAISON_ADMIN_KEY). */
export function withConnection(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway URL (default: $LIAISON_URL or http://127.0.0.1:4000)")
    .option("--admin-key <key>", "admin key, or a key whose role allows it (default: $LIAISON_ADMIN_KEY)")
    .option("--json", "print JSON instead of a table");
}

/** One admin API call; a non-2xx answer becomes an Error carrying the gateway's own message. */
export async function adminRequest<T>(opts: ConnectionOptions, method: string, path: string, body?: unknown): Promise<T> {
  const base = (opts.url ?? process.env.LIAISON_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
  const key = opts.adminKey ?? process.env.LIAISON_ADMIN_KEY;
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the gateway at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
    throw new Error(`${method} ${path} failed (${res.status}${error?.code ? ` ${error.code}` : ""}): ${error?.message ?? (text || res.statusText)}`);
  }
  return parsed as T;
}

/** A plain text table: header, rule, rows; columns padded to their widest cell. */
export function table(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** `key: value` lines for one record, nested values as JSON. */
export function details(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record).map(([k, v]) => `${k.padEnd(width)}  ${show(v)}`).join("\n") + "\n";
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

// --- option parsers shared by keys and teams ---

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive whole number.");
  return n;
}

export function usd(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be an amount in USD, e.g. 25 or 2.50.");
  return n;
}

export function list(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Repeatable `--metadata k=v` or `--metadata '{"k":"v"}'`, merged. */
export function metadataPair(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  if (value.trim().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError("must be k=v or a JSON object.");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidArgumentError("must be k=v or a JSON object.");
    return { ...previous, ...(parsed as Record<string, unknown>) };
  }
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("must be k=v or a JSON object.");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d` → the ISO time 30 days from now. */
export function expiresIn(value: string): string {
  const m = DURATION.exec(value.trim());
  if (!m) throw new InvalidArgumentError("must be a duration such as 12h, 30d or 8w.");
  return new Date(Date.now() + Number(m[1]) * UNIT_MS[m[2]!]!).toISOString();
}

export const LIMIT_FIELDS = ["models", "mcp_tools", "rpm", "tpm", "max_parallel", "budget_usd", "budget_period", "metadata"] as const;

export interface LimitOptions {
  models?: string[];
  mcpTools?: string[];
  rpm?: number;
  tpm?: number;
  maxParallel?: number;
  budgetUsd?: number;
  budgetPeriod?: string;
  metadata?: Record<string, unknown>;
  clear?: string[];
}

/** The limit options of keys and teams; `clearable` (on update) adds --clear to unset them. */
export function withLimits(cmd: Command, clearable: readonly string[] = []): Command {
  cmd
    .option("--models <globs>", "allowed models, comma-separated (globs such as gpt-4o*)", list)
    .option("--mcp-tools <globs>", "allowed MCP tools, comma-separated SERVER__tool globs (github__*); \"\" allows none", list)
    .option("--rpm <n>", "requests per minute", positiveInt)
    .option("--tpm <n>", "tokens per minute", positiveInt)
    .option("--max-parallel <n>", "requests in flight at once", positiveInt)
    .option("--budget-usd <amount>", "spend cap in USD per budget period", usd)
    .option("--budget-period <period>", "daily | weekly | monthly | total (default total)")
    .option("--metadata <k=v|json>", "metadata tags (repeatable)", metadataPair);
  if (clearable.length) cmd.option("--clear <fields>", `unset fields, comma-separated (${clearable.join(", ")})`, list);
  return cmd;
}

export function limitBody(opts: LimitOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of opts.clear ?? []) body[field.replace(/-/g, "_")] = null;
  if (opts.models !== undefined) body.models = opts.models;
  if (opts.mcpTools !== undefined) body.mcp_tools = opts.mcpTools;
  if (opts.rpm !== undefined) body.rpm = opts.rpm;
  if (opts.tpm !== undefined) body.tpm = opts.tpm;
  if (opts.maxParallel !== undefined) body.max_parallel = opts.maxParallel;
  if (opts.budgetUsd !== undefined) body.budget_usd = opts.budgetUsd;
  if (opts.budgetPeriod !== undefined) body.budget_period = opts.budgetPeriod;
  if (opts.metadata !== undefined) body.metadata = opts.metadata;
  return body;
}

export function limitsSummary(r: { rpm: number | null; tpm: number | null; max_parallel: number | null }): string {
  const parts = [r.rpm && `${r.rpm} rpm`, r.tpm && `${r.tpm} tpm`, r.max_parallel && `${r.max_parallel} parallel`].filter(Boolean);
  return parts.length ? parts.join(", ") : "-";
}

export function budgetSummary(r: { budget_usd: number | null; budget_period: string | null }): string {
  return r.budget_usd === null ? "-" : `$${formatUsd(r.budget_usd)} ${r.budget_period ?? "total"}`;
}

// --- keys ---

interface KeyView {
  id: string;
  name: string;
  team_id: string | null;
  role: string;
  key_prefix: string;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  key?: string;
}

type KeyOptions = ConnectionOptions & LimitOptions & { team?: string; role?: string; expiresAt?: string; expiresIn?: string; name?: string };

function status(k: KeyView): string {
  if (k.revoked_at) return "revoked";
  if (k.expires_at && Date.parse(k.expires_at) <= Date.now()) return "expired";
  return "active";
}

function keyBody(opts: KeyOptions): Record<string, unknown> {
  const body = limitBody(opts);
  if (opts.name !== undefined) body.name = opts.name;
  if (opts.team !== undefined) body.team_id = opts.team;
  if (opts.role !== undefined) body.role = opts.role;
  if (opts.expiresAt !== undefined) body.expires_at = opts.expiresAt;
  if (opts.expiresIn !== undefined) body.expires_at = opts.expiresIn;
  return body;
}

export function registerKeyCommands(program: Command, io: CliIo = STDOUT): Command {
  const keys = program.command("keys").description("manage virtual keys (through the admin API of a running gateway)");
  const print = (opts: ConnectionOptions, value: unknown, text: () => string) => io.out(opts.json ? `${JSON.stringify(value, null, 2)}\n` : text());

  const keyOptions = (cmd: Command) =>
    withLimits(cmd.option("--team <id>", "team the key belongs to").option("--role <role>", "admin | manager | member | viewer")
      .option("--expires-at <time>", "ISO-8601 expiry time").option("--expires-in <duration>", "expiry from now, e.g. 30d", expiresIn));

  withConnection(keyOptions(keys.command("create").argument("<name>", "a name for the key").description("create a key; its secret is printed once")))
    .action(async (name: string, opts: KeyOptions) => {
      const created = await adminRequest<KeyView>(opts, "POST", "/admin/keys", { ...keyBody(opts), name });
      print(opts, created, () => `${created.key}\n\nThis secret is shown once: store it now.\n${details({ id: created.id, name: created.name, team_id: created.team_id, role: created.role, expires_at: created.expires_at })}`);
    });

  withConnection(keys.command("list").description("list keys (no secrets)").option("--team <id>", "only this team's keys"))
    .action(async (opts: KeyOptions) => {
      const query = opts.team ? `?team_id=${encodeURIComponent(opts.team)}` : "";
      const { data } = await adminRequest<{ data: KeyView[] }>(opts, "GET", `/admin/keys${query}`);
      print(opts, data, () => table(
        ["ID", "NAME", "PREFIX", "TEAM", "ROLE", "LIMITS", "BUDGET", "STATUS", "LAST USED"],
        data.map((k) => [k.id, k.name, k.key_prefix, show(k.team_id), k.role, limitsSummary(k), budgetSummary(k), status(k), show(k.last_used_at)]),
      ));
    });

  withConnection(keys.command("show").argument("<id>").description("show one key"))
    .action(async (id: string, opts: KeyOptions) => {
      const key = await adminRequest<KeyView>(opts, "GET", `/admin/keys/${encodeURIComponent(id)}`);
      print(opts, key, () => details({ ...key, status: status(key) }));
    });

  withConnection(withLimits(keys.command("update").argument("<id>").description("change a key's name, team, role, limits or expiry"), [...LIMIT_FIELDS, "team_id", "expires_at"])
    .option("--name <name>", "new name").option("--team <id>", "move to this team").option("--role <role>", "admin | manager | member | viewer")
    .option("--expires-at <time>", "ISO-8601 expiry time").option("--expires-in <duration>", "expiry from now, e.g. 30d", expiresIn))
    .action(async (id: string, opts: KeyOptions) => {
      const body = keyBody(opts);
      if (Object.keys(body).length === 0) throw new Error("nothing to update: pass at least one option (see --help)");
      const key = await adminRequest<KeyView>(opts, "PATCH", `/admin/keys/${encodeURIComponent(id)}`, body);
      print(opts, key, () => details({ ...key, status: status(key) }));
    });

  withConnection(keys.command("revoke").argument("<id>").description("revoke a key (it stops working at once)"))
    .action(async (id: string, opts: KeyOptions) => {
      const key = await adminRequest<KeyView>(opts, "DELETE", `/admin/keys/${encodeURIComponent(id)}`);
      print(opts, key, () => `revoked ${key.id} (${key.key_prefix}…) at ${key.revoked_at}\n`);
    });

  return keys;
}
