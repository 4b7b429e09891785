/**
 * `liaison prompts list | eval | optimize` (docs/prompts.md). In-process,
 * as `serve` would run them: the config is read as `serve` reads it
 * (--config, else ./liaison.yaml, else zero-config), the ./prompts files
 * are loaded, and every model call is a gateway call like any other
 * (logged with the prompt, limited, priced). Progress goes to stderr, the
 * report to stdout (a table, or with --json the report as JSON).
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { resolveConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { Engine } from "../engine/engine.js";
import {
  evaluatePrompt, formatOptimizeReport, formatReport, optimizePrompt, Prompts, readDataset, SCORER_NAMES, type EvalProgress,
} from "../prompts/index.js";
import { createLogger } from "../telemetry/logger.js";
import { show, table } from "./keys.js";

export interface PromptsIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (the progress bar redraws in place). */
  tty: boolean;
}

const PROCESS_IO: PromptsIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  tty: process.stderr.isTTY === true,
};

/** The engine `serve` would build from this config and the registry on it; the engine's own info lines stay out of the report's way. */
async function withPrompts<T>(config: Config, fn: (prompts: Prompts) => Promise<T>): Promise<T> {
  const level = ["fatal", "error", "silent"].includes(config.logging.level) ? config.logging.level : "warn";
  const engine = await Engine.create(config, { logger: createLogger(level) });
  try {
    return await fn(await Prompts.open(engine));
  } finally {
    await engine.close();
  }
}

function whole(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}.`);
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError("must be a number between 0 and 1.");
  return n;
}

function versionList(value: string): number[] {
  return value.split(",").map((v) => whole(1)(v.trim()));
}

const list = (value: string): string[] => value.split(",").map((v) => v.trim()).filter(Boolean);

function schemaFile(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError(`${file}: not a readable JSON schema (${(err as Error).message})`);
  }
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per part otherwise. */
export function progressBar(io: PromptsIo): (p: EvalProgress) => void {
  let current = "";
  return (p) => {
    const finished = p.done === p.total;
    if (io.tty) {
      const width = 30;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      io.err(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(p.done).padStart(String(p.total).length)}/${p.total} ${p.label}${finished ? "\n" : ""}`);
    } else if (p.label !== current) {
      io.err(`${p.label}: ${p.total} rows…\n`);
    }
    current = p.label;
  };
}

const configOption = ["-c, --config <file>", "configuration file (YAML; default ./liaison.yaml, else zero-config)"] as const;
const scorerHelp = `how answers are graded: ${SCORER_NAMES.join(", ")} (numeric:TOL sets a tolerance)`;

interface CommonOptions { config?: string; dataset: string; scorer: string; model?: string; concurrency: number; seed: number; schema?: Record<string, unknown>; tolerance?: number; json?: boolean }

export function registerPromptCommands(program: Command, io: PromptsIo = PROCESS_IO): Command {
  const cmd = program.command("prompts").description("the prompt registry (docs/prompts.md): evaluate and optimize prompts, in-process");

  cmd.command("list")
    .description("list the prompts: the files of ./prompts and those stored in the database")
    .option(...configOption)
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { config } = resolveConfig(opts.config);
      const prompts = await withPrompts(config, (p) => p.list());
      if (opts.json) io.out(`${JSON.stringify({ data: prompts }, null, 2)}\n`);
      else if (prompts.length === 0) io.out("no prompts (put <name>.yaml files in ./prompts, or POST /v1/prompts)\n");
      else {
        io.out(table(["NAME", "LATEST", "VERSIONS", "LABELS", "MODEL", "DESCRIPTION"], prompts.map((p) => [
          p.name, String(p.latest.version), p.versions.join(","), Object.entries(p.labels).map(([l, v]) => `${l}=${v}`).join(", ") || "-", show(p.latest.model), show(p.latest.description),
        ])));
      }
    });

  const common = (c: Command): Command => c
    .requiredOption("--prompt <name>", "the prompt")
    .requiredOption("--dataset <file>", 'rows to run (JSON Lines: {"variables": {...}, "expected": ...})')
    .requiredOption("--scorer <scorer>", scorerHelp)
    .option("--model <model>", "run with this model instead of each version's own")
    .option("--schema <file>", "json_schema: a JSON schema file for every row (else each row's expected)", schemaFile)
    .option("--tolerance <n>", "numeric: the largest difference that still counts as right", Number)
    .option("--concurrency <n>", "rows in flight at once", whole(1), 4)
    .option("--seed <n>", "seed for the resampling (and the optimizer's split and examples)", whole(0), 1)
    .option(...configOption)
    .option("--json", "print the report as JSON");

  common(cmd.command("eval"))
    .description("run versions of a prompt over a dataset and compare their scores (95% intervals, a paired comparison); the report is stored with the prompt")
    .option("--versions <list>", "versions to compare, e.g. 1,2,3 (default: every version)", versionList)
    .option("--labels <list>", "labels to compare, e.g. production,staging", list)
    .action(async (opts: CommonOptions & { prompt: string; versions?: number[]; labels?: string[] }) => {
      const { config } = resolveConfig(opts.config);
      const rows = readDataset(opts.dataset);
      const report = await withPrompts(config, (prompts) => evaluatePrompt(prompts, {
        prompt: opts.prompt, rows, scorer: opts.scorer, dataset: opts.dataset, concurrency: opts.concurrency, seed: opts.seed,
        ...(opts.versions ? { versions: opts.versions } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.model ? { model: opts.model } : {}),
        ...(opts.schema ? { schema: opts.schema } : {}), ...(opts.tolerance === undefined ? {} : { tolerance: opts.tolerance }),
        onProgress: progressBar(io),
      }));
      for (const [version, failed] of Object.entries(report.errors)) {
        if (failed > 0) io.err(`version ${version}: ${failed} of ${report.n} rows failed (scored 0); their log rows say why\n`);
      }
      io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    });

  common(cmd.command("optimize"))
    .description("propose better versions of a prompt (rewrites from its failures, worked examples), keep the best, and save the winner as a new version when it beats the original on held-out rows")
    .requiredOption("--proposer <model>", "the model that rewrites the prompt")
    .option("--rounds <n>", "rounds of proposals", whole(1), 3)
    .option("--version <n>", "the version to improve (default: the production label's, else the latest)", whole(1))
    .option("--label <label>", "the label whose version to improve")
    .option("--holdout <share>", "the share of rows held out for the final comparison", share, 0.3)
    .option("--beam <n>", "templates kept each round", whole(1), 3)
    .option("--rewrites <n>", "rewrites asked of the proposer per template per round", whole(0), 2)
    .option("--shots <n>", "worked examples in a few-shot variant (0: none)", whole(0), 3)
    .option("--no-save", "report only: do not save the winner")
    .action(async (opts: CommonOptions & { prompt: string; proposer: string; rounds: number; version?: number; label?: string; holdout: number; beam: number; rewrites: number; shots: number; save: boolean }) => {
      const { config } = resolveConfig(opts.config);
      const rows = readDataset(opts.dataset);
      const report = await withPrompts(config, (prompts) => optimizePrompt(prompts, {
        prompt: opts.prompt, rows, scorer: opts.scorer, proposer: opts.proposer, rounds: opts.rounds, seed: opts.seed, holdout: opts.holdout,
        beam: opts.beam, rewrites: opts.rewrites, shots: opts.shots, concurrency: opts.concurrency, save: opts.save,
        ...(opts.version === undefined ? {} : { version: opts.version }), ...(opts.label ? { label: opts.label } : {}), ...(opts.model ? { model: opts.model } : {}),
        ...(opts.schema ? { schema: opts.schema } : {}), ...(opts.tolerance === undefined ? {} : { tolerance: opts.tolerance }),
        onProgress: progressBar(io),
      }));
      io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatOptimizeReport(report));
    });
  return cmd;
}
