/**
 * `liaison prices update SOURCE` and `liaison prices check`: keeping the
 * price catalogue current (docs/keys-and-budgets.md, "Keeping prices
 * current"). Both work on files and the config, not on a running gateway:
 * prices are read at start.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { loadConfigFile, resolveConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import {
  checkPrices, formatPriceDocument, loadPrices, modelsInUse, parsePriceDocument, readPriceFile, today,
  type PriceDocument, type PriceProblem,
} from "../cost/index.js";
import { positiveInt, STDOUT, table, type CliIo } from "./keys.js";

export interface PricesIo extends CliIo {
  /** Sets the exit status (a problem found is not an exception). */
  exitCode: (code: number) => void;
}

const PROCESS_IO: PricesIo = { ...STDOUT, exitCode: (code) => void (process.exitCode = code) };

interface UpdateOptions {
  out?: string;
  config?: string;
  date?: string;
  source?: string;
}

interface CheckOptions {
  config?: string;
  maxAgeDays?: number;
  json?: boolean;
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new InvalidArgumentError("must be a date, YYYY-MM-DD.");
  return value;
}

function url(value: string): string {
  if (!/^https?:\/\/\S+$/.test(value)) throw new InvalidArgumentError("must be an http(s) URL.");
  return value;
}

/** The source, read and converted: a local file, or an http(s) URL (LiteLLM's raw file on GitHub, a mirror). */
async function readSource(source: string, opts: UpdateOptions): Promise<PriceDocument> {
  const convert = { ...(opts.date ? { date: opts.date } : {}), ...(opts.source ? { source: opts.source } : {}) };
  if (!/^https?:\/\//.test(source)) return readPriceFile(source, convert);
  let res: Response;
  try {
    res = await fetch(source, { headers: { accept: "application/json" } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${source}: cannot fetch: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new Error(`${source}: answered ${res.status} ${res.statusText}`);
  let doc: unknown;
  try {
    doc = JSON.parse(await res.text());
  } catch (err) {
    throw new Error(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  // Fetched from a URL, the entries' source is that URL unless --source says otherwise.
  return parsePriceDocument(doc, source, { source, ...convert });
}

/** Where `update` writes: --out, else the config's prices.file. */
function destination(opts: UpdateOptions): { path: string; fromConfig: boolean } {
  if (opts.out) return { path: opts.out, fromConfig: false };
  const { config, source } = opts.config ? { config: loadConfigFile(opts.config), source: opts.config } : resolveConfig(undefined);
  if (!config.prices.file) throw new Error(`nowhere to write: pass --out FILE, or set prices.file in the config (${source} has none)`);
  return { path: config.prices.file, fromConfig: true };
}

/** Written beside the target, then renamed over it: a reader never sees half a file. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function update(source: string, opts: UpdateOptions, io: PricesIo): Promise<void> {
  const dest = destination(opts);
  const doc = await readSource(source, opts);
  const how = doc.converted ? `converted from LiteLLM's format, dated ${opts.date ?? today()}` : "copied";
  writeAtomically(dest.path, formatPriceDocument(doc, `USD per million tokens, ${how} from ${source} by \`liaison prices update\`. `
    + "Loaded over the shipped catalogue through prices.file; prices: overrides in the config still win."));
  const skipped = doc.converted?.skipped ? `; ${doc.converted.skipped} entries left out (not priced per token, not chat or embedding, or repeated)` : "";
  io.out(`wrote ${doc.models.length} prices to ${dest.path} (${how}${skipped})\n`);
  io.out(dest.fromConfig
    ? "restart the gateway to bill with them\n"
    : `to bill with them, set prices.file: ${dest.path} in the config and restart the gateway\n`);
}

function check(opts: CheckOptions, io: PricesIo): void {
  const config: Config = opts.config ? loadConfigFile(opts.config) : resolveConfig(undefined).config;
  const maxAgeDays = opts.maxAgeDays ?? config.prices.max_age_days;
  const inUse = modelsInUse(config).length;
  const problems = checkPrices(config, loadPrices(config.prices), { maxAgeDays });
  if (opts.json) {
    io.out(`${JSON.stringify({ max_age_days: maxAgeDays, models_in_use: inUse, problems }, null, 2)}\n`);
  } else if (inUse === 0) {
    io.out("no models in use: the config names no targets under models: (nor provider/model in aliases or fallbacks)\n");
  } else if (problems.length === 0) {
    io.out(`${inUse === 1 ? "the model" : `all ${inUse} models`} in use ${inUse === 1 ? "has" : "have"} a price from the last ${maxAgeDays} days\n`);
  } else {
    io.out(table(["TARGET", "USED_BY", "PRICE", "DATE", "AGE_DAYS"], problems.map(row)));
    io.out(`${problems.length} of ${inUse} model${inUse === 1 ? "" : "s"} in use ${problems.length === 1 ? "has" : "have"} no price or one older than ${maxAgeDays} days; `
      + "update with `liaison prices update FILE` (prices.file), or set prices: overrides in the config\n");
  }
  if (problems.length) io.exitCode(1);
}

function row(p: PriceProblem): string[] {
  return [p.target, p.used_by.join(","), p.problem === "missing" ? "none" : "stale", p.date ?? "-", p.age_days === null ? "-" : String(p.age_days)];
}

export function registerPriceCommands(program: Command, io: PricesIo = PROCESS_IO): Command {
  const prices = program.command("prices").description("keep the price catalogue current (prices.file)");
  prices
    .command("update")
    .argument("<source>", "a price file or an http(s) URL: LiteLLM's model_prices_and_context_window.json, or Liaison's own catalogue format")
    .description("convert a price list to Liaison's catalogue format and write it to prices.file (or --out)")
    .option("-o, --out <file>", "where to write (default: prices.file from the config)")
    .option("-c, --config <file>", "configuration file whose prices.file to write (default: ./liaison.yaml)")
    .option("--date <YYYY-MM-DD>", "the date the prices were taken, for LiteLLM's entries (default: today)", isoDate)
    .option("--source <url>", "the page LiteLLM's entries cite when they name none (default: LiteLLM's file, or the URL fetched)", url)
    .action((source: string, opts: UpdateOptions) => update(source, opts, io));
  prices
    .command("check")
    .description("list the models in use with no price, or a price older than --max-age-days; exits 1 when there are any")
    .option("-c, --config <file>", "configuration file (default: ./liaison.yaml, else zero-config)")
    .option("--max-age-days <n>", "how old a price may be (default: prices.max_age_days, 180)", positiveInt)
    .option("--json", "print JSON instead of a table")
    .action((opts: CheckOptions) => check(opts, io));
  return prices;
}
