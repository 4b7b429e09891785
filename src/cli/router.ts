/**
 * `liaison router train | score | eval` (DESIGN.md §7): a router file from
 * labelled prompts, scores for unlabelled ones, and a router's quality–cost
 * curve. They run in-process on files; prices (for the cost column and the
 * messages) come from the catalogue and, with a config, its overrides —
 * never from the data. Progress and messages go to stderr; results to
 * stdout (score) or files.
 */
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { InvalidArgumentError, type Command } from "commander";
import { resolveConfig } from "../config/load.js";
import { loadPrices, usdOf, type PriceCatalogue } from "../cost/index.js";
import { parseLabelledRows, type LabelledPrompt } from "../router/data.js";
import { evalPlot, evaluateRouter, formatEvalTable } from "../router/eval-report.js";
import { readRouterFile, writeRouterFile } from "../router/router-file.js";
import { RouterModel } from "../router/router-model.js";
import { trainRouter, type TrainProgress } from "../router/train.js";
import { feedbackRows, type RatedRow } from "../router/feedback-rows.js";
import { promptText } from "../engine/routing/prompt-text.js";
import { adminRequest, withConnection, type ConnectionOptions } from "./keys.js";

const err = (text: string) => void process.stderr.write(text);

function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number.");
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError("must be a number above 0, at most 1.");
  return n;
}

function readRows(path: string): LabelledPrompt[] {
  const { rows, skipped } = parseLabelledRows(readFileSync(path, "utf8"), path);
  if (skipped.contaminated || skipped.invalid) err(`${path}: ${rows.length} rows (${skipped.contaminated} marked contaminated and ${skipped.invalid} without a prompt and two outcomes left out)\n`);
  return rows;
}

/** The catalogue with the config's overrides when a config is given or ./liaison.yaml exists. */
function catalogueFor(config: string | undefined): PriceCatalogue {
  try {
    return loadPrices(resolveConfig(config).config.prices);
  } catch {
    return loadPrices();
  }
}

const TYPICAL = { prompt_tokens: 500, completion_tokens: 250 };

/** A progress bar on stderr: redrawn in place on a terminal, a line per phase otherwise. */
function progressBar(): (p: TrainProgress) => void {
  let lastPhase = "";
  const tty = process.stderr.isTTY;
  return (p) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((p.done / p.total) * width);
      err(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round((100 * p.done) / p.total)).padStart(3)}% ${p.phase.padEnd(9)}${p.phase === "done" ? "\n" : ""}`);
    } else if (p.phase !== lastPhase) {
      err(`${p.phase === "done" ? "done" : `${p.phase}…`} (${p.done}/${p.total})\n`);
    }
    lastPhase = p.phase;
  };
}

interface ExportOptions extends ConnectionOptions {
  out: string;
  model?: string;
  since?: string;
  max: number;
}

/** Pages through GET /admin/logs, fetches each rated row in full (its request body) and writes the training rows. */
async function exportRated(opts: ExportOptions): Promise<void> {
  const rated: RatedRow[] = [];
  let cursor: string | undefined;
  let seen = 0;
  do {
    const q = new URLSearchParams({ limit: "1000", ...(opts.model ? { model: opts.model } : {}), ...(opts.since ? { since: opts.since } : {}), ...(cursor ? { cursor } : {}) });
    const page = await adminRequest<{ data: { id: string; feedback_score: number | null }[]; next_cursor: string | null }>(opts, "GET", `/admin/logs?${q}`);
    seen += page.data.length;
    for (const row of page.data) {
      if (row.feedback_score === null || row.feedback_score === undefined) continue;
      const full = await adminRequest<Omit<RatedRow, "prompt"> & { request_body: unknown }>(opts, "GET", `/admin/logs/${encodeURIComponent(row.id)}`);
      rated.push({ ...full, prompt: full.request_body ? promptText(full.request_body) : "" });
    }
    cursor = page.next_cursor ?? undefined;
    err(`\r${seen} log rows read, ${rated.length} rated`);
  } while (cursor && seen < opts.max);
  err("\n");
  const { rows, usable, skipped } = feedbackRows(rated);
  writeFileSync(opts.out, rows.map((r) => JSON.stringify({ prompt: r.prompt, scores: r.scores, request_ids: r.ids })).join("\n") + (rows.length ? "\n" : ""));
  err(`wrote ${opts.out}: ${rows.length} prompts, ${usable} rated for two or more models (what 'router train' learns from)` +
    (skipped ? `; ${skipped} rated rows without a request body (turn on logging.bodies) or a model left out` : "") + "\n");
}

export function registerRouterCommands(program: Command): void {
  const router = program.command("router").description("train, score with and evaluate a learned router (strategy: learned / cascade)");

  withConnection(router
    .command("export")
    .description("rated requests of a running gateway (POST /v1/feedback; bodies logged) as training rows {prompt, scores: {MODEL: 0..1}}")
    .requiredOption("--out <file>", "the JSONL file to write")
    .option("--model <name>", "only requests for this model name")
    .option("--since <time>", "only requests from this time on (ISO-8601)")
    .option("--max <n>", "read at most this many log rows", intArg, 1_000_000))
    .action(async (opts: ExportOptions) => exportRated(opts));

  router
    .command("train")
    .description("train a router file from labelled prompts: JSONL rows {prompt, correct: {MODEL: bool}} or {prompt, scores: {MODEL: 0..1}}")
    .requiredOption("--data <file>", "training rows (JSONL)")
    .requiredOption("--out <file>", "the router file to write")
    .option("--strong <model>", "the strong model (default: the highest mean outcome in the data)")
    .option("--weak <model>", "the weak model (default: the lowest mean outcome)")
    .option("--ladder", "every model in the data, as a ladder (more than two targets)")
    .option("--seed <n>", "seed for the folds (training is deterministic given it)", intArg, 1)
    .option("--folds <n>", "folds for the out-of-fold scores the threshold is calibrated on", intArg, 5)
    .option("-c, --config <file>", "configuration whose price overrides name the models' prices")
    .action((opts: { data: string; out: string; strong?: string; weak?: string; ladder?: boolean; seed: number; folds: number; config?: string }) => {
      const rows = readRows(opts.data);
      const started = Date.now();
      const file = trainRouter(rows, {
        ...(opts.strong ? { strong: opts.strong } : {}), ...(opts.weak ? { weak: opts.weak } : {}), ladder: opts.ladder === true,
        seed: opts.seed, folds: Math.max(2, opts.folds), onProgress: progressBar(),
      });
      writeRouterFile(opts.out, file);
      const catalogue = catalogueFor(opts.config);
      const priced = (m: string) => {
        const usd = usdOf(TYPICAL, m, catalogue);
        return usd === undefined ? "no price in the catalogue or config" : `$${(usd * 1000).toFixed(3)} per 1k typical requests`;
      };
      err(`wrote ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s from ${rows.length} rows${file.judge ? " (with a cascade judge of the weak model's answers)" : ""}\n`);
      for (const m of file.models) err(`  ${m.name}: ${(100 * m.accuracy).toFixed(1)}% right; ${priced(m.name)}\n`);
      const g = file.calibration.quality.indexOf(0.95);
      if (g >= 0) err(`  at 95% quality the training prompts (scored out of fold) took ${(100 * file.rungs[0]!.table.strongShare[g]!).toFixed(1)}% strong calls\n`);
    });

  router
    .command("score")
    .description("score prompts: JSONL rows {id, prompt} in, one JSON line {id, score} per row out (0..1, higher = needs the strong model)")
    .requiredOption("--router <file>", "the router file")
    .requiredOption("--prompts <file>", "rows to score (JSONL)")
    .action(async (opts: { router: string; prompts: string }) => {
      const model = new RouterModel(readRouterFile(opts.router));
      const lines = createInterface({ input: createReadStream(opts.prompts), crlfDelay: Infinity });
      let n = 0;
      let line = 0;
      for await (const raw of lines) {
        line++;
        if (!raw.trim()) continue;
        let row: { id?: unknown; prompt?: unknown };
        try {
          row = JSON.parse(raw) as typeof row;
        } catch {
          throw new Error(`${opts.prompts}:${line}: not a JSON object`);
        }
        if (typeof row.prompt !== "string") throw new Error(`${opts.prompts}:${line}: no "prompt" string`);
        const score = model.score(row.prompt).scores[0]!;
        process.stdout.write(`${JSON.stringify({ id: row.id ?? null, score: Math.round(score * 1e6) / 1e6 })}\n`);
        if (++n % 1000 === 0) err(`${n} scored\n`);
      }
      err(`${n} prompts scored\n`);
    });

  router
    .command("eval")
    .description("the quality–cost curve on labelled prompts, against random mixing, always-strong and always-weak")
    .requiredOption("--router <file>", "the router file")
    .requiredOption("--data <file>", "labelled rows (JSONL, as for train)")
    .option("--quality <share>", "the target quality (a share of the strong model's accuracy)", share, 0.95)
    .option("--plot <file>", "where to write the curve as SVG", "router-eval.svg")
    .option("--no-plot", "no plot")
    .option("--json", "print the figures as JSON instead of the table")
    .option("-c, --config <file>", "configuration whose price overrides name the models' prices")
    .action((opts: { router: string; data: string; quality: number; plot: string | false; json?: boolean; config?: string }) => {
      const model = new RouterModel(readRouterFile(opts.router));
      const rows = readRows(opts.data);
      const report = evaluateRouter(model, rows, opts.quality);
      const catalogue = catalogueFor(opts.config);
      const [ps, pw] = [usdOf(TYPICAL, report.strong, catalogue), usdOf(TYPICAL, report.weak, catalogue)];
      if (ps !== undefined && pw !== undefined && ps > 0) report.prices = { strong: ps, weak: pw };
      if (opts.plot) {
        writeFileSync(opts.plot, evalPlot(report));
        err(`wrote ${opts.plot}\n`);
      }
      if (opts.json) {
        const { curve, cascade, ...rest } = report;
        process.stdout.write(`${JSON.stringify({ ...rest, ...(cascade ? { cascade: { calibrated: cascade.calibrated, best: cascade.best } } : {}), curve: curve.filter((_, i) => i % Math.max(1, Math.floor(curve.length / 100)) === 0).map((p) => ({ strong_share: p.strongShare, quality: p.quality })) })}\n`);
      } else {
        process.stdout.write(formatEvalTable(report));
      }
    });
}
