/**
 * `liaison logs tail|show|search`: the request log of a running gateway
 * through GET /admin/logs (DESIGN.md §2), as a table or JSON.
 */
import { InvalidArgumentError, type Command } from "commander";
import { formatDollars } from "../cost/cost.js";
import { adminRequest, positiveInt, show, STDOUT, table, withConnection, type CliIo, type ConnectionOptions } from "./keys.js";

/** The fields of a GET /admin/logs row the CLI prints. */
interface LogView {
  id: string;
  created_at: string;
  endpoint: string;
  model: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  key_id: string | null;
  stream: boolean;
}

interface LogPageView {
  data: LogView[];
  next_cursor: string | null;
}

/** What `tail --follow` needs beyond printing: a way to stop it other than Ctrl-C (tests, embedding). */
export interface LogsIo extends CliIo {
  /** Ends --follow (default: runs until the process is interrupted). */
  signal?: AbortSignal;
}

interface FilterOptions extends ConnectionOptions {
  model?: string;
  provider?: string;
  key?: string;
  status?: number;
  since?: string;
  until?: string;
  limit: number;
}

interface TailOptions extends FilterOptions {
  follow?: boolean;
  interval: number;
}

const SPAN = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PAGE_MAX = 1000; // the server's largest page
/** How far behind the newest row --follow looks for rows written late (long requests). */
const LOOKBACK_MS = 30_000;

/** `1h` → the ISO time one hour ago; an ISO-8601 time → itself, normalised. The server takes ISO only. */
export function pointInTime(value: string, now = Date.now()): string {
  const span = SPAN.exec(value.trim());
  if (span) return new Date(now - Number(span[1]) * UNIT_MS[span[2]!]!).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError("must be an ISO-8601 time or a span back from now: 30m, 1h, 7d, 2w.");
  return new Date(ms).toISOString();
}

function httpStatus(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 100 || n > 599) throw new InvalidArgumentError("must be an HTTP status code, e.g. 200 or 429.");
  return n;
}

function logsPath(opts: FilterOptions, extra: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  const add = (k: string, v: string | number | undefined) => v !== undefined && q.set(k, String(v));
  add("model", opts.model);
  add("provider", opts.provider);
  add("key_id", opts.key);
  add("status", opts.status);
  for (const [k, v] of Object.entries(extra)) add(k, v);
  return `/admin/logs?${q}`;
}

const COLUMNS = ["TIME", "ID", "MODEL", "PROVIDER", "KEY", "STATUS", "LATENCY_MS", "TOKENS", "COST_USD"];
// Fixed widths for tail: --follow prints rows as they come, so later rows
// cannot widen the columns the header already set.
const WIDTHS = [24, 26, 22, 12, 14, 6, 10, 11, 10];

function cells(r: LogView): string[] {
  const tokens = r.prompt_tokens === null && r.completion_tokens === null ? "-" : `${r.prompt_tokens ?? 0}/${r.completion_tokens ?? 0}`;
  return [
    r.created_at,
    r.id,
    show(r.model),
    show(r.provider),
    show(r.key_id),
    String(r.status),
    r.latency_ms.toFixed(1),
    tokens,
    r.cost_usd === null ? "-" : formatDollars(r.cost_usd),
  ];
}

const fixedLine = (values: string[]) => values.map((v, i) => v.padEnd(WIDTHS[i]!)).join("  ").trimEnd() + "\n";

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Pages through next_cursor until `limit` rows or the end. */
async function collect(opts: FilterOptions, extra: Record<string, string | undefined>, limit: number): Promise<{ rows: LogView[]; more: boolean }> {
  const rows: LogView[] = [];
  let cursor: string | undefined;
  for (;;) {
    const want = Math.min(PAGE_MAX, limit - rows.length);
    const page = await adminRequest<LogPageView>(opts, "GET", logsPath(opts, { ...extra, limit: String(want), cursor }));
    rows.push(...page.data);
    if (!page.next_cursor) return { rows, more: false };
    if (rows.length >= limit) return { rows, more: true };
    cursor = page.next_cursor;
  }
}

export function registerLogCommands(program: Command, io: LogsIo = STDOUT): Command {
  const logs = program.command("logs").description("read the request log (through the admin API of a running gateway)");
  const filters = (cmd: Command) => cmd
    .option("--model <name>", "only this model (as the client sent it)")
    .option("--status <code>", "only this HTTP status", httpStatus);

  withConnection(filters(logs.command("tail").description("the newest requests, oldest of them first; --follow keeps printing new ones")))
    .option("-f, --follow", "keep polling for new rows until Ctrl-C")
    .option("--limit <n>", "how many of the newest rows to print first", positiveInt, 20)
    .option("--interval <seconds>", "seconds between polls with --follow", Number, 1)
    .action(async (opts: TailOptions) => {
      const first = await collect(opts, {}, opts.limit);
      const print = (rows: LogView[]) => {
        if (opts.json) for (const r of rows) io.out(`${JSON.stringify(r)}\n`);
        else for (const r of rows) io.out(fixedLine(cells(r)));
      };
      if (!opts.json) io.out(fixedLine(COLUMNS) + fixedLine(WIDTHS.map((w) => "-".repeat(w))));
      print([...first.rows].reverse());
      if (!opts.follow) return;

      // Follow by the server's clock, not ours. created_at is when a request
      // started, so a long stream's row lands after newer rows: each poll
      // looks LOOKBACK_MS behind the newest row seen and skips ids it printed.
      const seen = new Map(first.rows.map((r) => [r.id, r.created_at]));
      let newest = first.rows[0]?.created_at;
      while (!io.signal?.aborted) {
        await sleep(Math.max(0.05, opts.interval) * 1000, io.signal);
        if (io.signal?.aborted) break;
        const since = newest === undefined ? undefined : new Date(Date.parse(newest) - LOOKBACK_MS).toISOString();
        const fresh = (await collect(opts, { since }, Number.MAX_SAFE_INTEGER)).rows.filter((r) => !seen.has(r.id));
        if (fresh.length === 0) continue;
        print([...fresh].reverse());
        for (const r of fresh) seen.set(r.id, r.created_at);
        if (newest === undefined || fresh[0]!.created_at > newest) newest = fresh[0]!.created_at;
        // Forget what the next poll's window no longer reaches.
        const horizon = new Date(Date.parse(newest) - LOOKBACK_MS).toISOString();
        for (const [id, at] of seen) if (at < horizon) seen.delete(id);
      }
    });

  withConnection(logs.command("show").argument("<id>", "the request id (x-request-id)").description("one request in full: bodies and attempts included, as JSON"))
    .action(async (id: string, opts: ConnectionOptions) => {
      const row = await adminRequest<unknown>(opts, "GET", `/admin/logs/${encodeURIComponent(id)}`);
      io.out(`${JSON.stringify(row, null, 2)}\n`);
    });

  withConnection(filters(logs.command("search").description("requests matching filters, newest first")))
    .option("--since <when>", "ISO-8601 time or a span back from now: 30m, 1h, 7d, 2w", (v: string) => pointInTime(v))
    .option("--until <when>", "ISO-8601 time or a span back from now", (v: string) => pointInTime(v))
    .option("--provider <name>", "only this provider")
    .option("--key <id>", "only this key id")
    .option("--limit <n>", "at most this many rows (pages through the API as needed)", positiveInt, 100)
    .action(async (opts: FilterOptions) => {
      const { rows, more } = await collect(opts, { since: opts.since, until: opts.until }, opts.limit);
      if (opts.json) return io.out(`${JSON.stringify(rows, null, 2)}\n`);
      io.out(table(COLUMNS, rows.map(cells)));
      if (more) io.out(`(more rows match: raise --limit or narrow the filters)\n`);
    });

  return logs;
}
