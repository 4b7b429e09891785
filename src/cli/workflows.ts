/**
 * `liaison workflows list | validate FILE | run NAME --input k=v [--json]`
 * (docs/workflows.md). In-process, as `serve` would run them: the config
 * is read as `serve` reads it (--config, else ./liaison.yaml, else
 * zero-config), the files of `workflows.dir` are loaded, and each step is a
 * gateway call like any other (logged, limited, priced). A run's progress
 * goes to stderr, its outputs (or, with --json, its record) to stdout.
 */
import type { Command } from "commander";
import { resolveConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { formatUsd } from "../cost/cost.js";
import { Engine } from "../engine/engine.js";
import { createLogger } from "../telemetry/logger.js";
import { inputsFromPairs, WorkflowError, Workflows, type RunEvent } from "../workflows/index.js";
import { readWorkflowFile } from "../workflows/workflow-files.js";
import { show, table } from "./keys.js";

export interface WorkflowsIo {
  out: (text: string) => void;
  err: (text: string) => void;
  exitCode: (code: number) => void;
}

const PROCESS_IO: WorkflowsIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exitCode: (code) => void (process.exitCode = code),
};

/** The engine `serve` would build from this config; its own info lines stay out of the way of the command's output. */
async function withEngine<T>(config: Config, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const level = ["fatal", "error", "silent"].includes(config.logging.level) ? config.logging.level : "warn";
  const engine = await Engine.create(config, { logger: createLogger(level) });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const ms = (n: number): string => `${Math.round(n)} ms`;

/** One stderr line per step event. */
function progress(io: WorkflowsIo): (e: RunEvent) => void {
  return (e) => {
    if (e.event === "step.started") io.err(`… ${e.data.id} (${e.data.model})\n`);
    else if (e.event === "step.completed") {
      const s = e.data;
      if (s.status === "skipped") io.err(`- ${s.id} skipped\n`);
      else if (s.status === "succeeded") io.err(`✓ ${s.id}  ${ms(s.latency_ms)}  ${s.prompt_tokens}+${s.completion_tokens} tokens  ${formatUsd(s.cost_usd)}\n`);
      else io.err(`✗ ${s.id}  ${s.error?.message ?? "failed"}\n`);
    }
  };
}

export function registerWorkflowCommands(program: Command, io: WorkflowsIo = PROCESS_IO): Command {
  const cmd = program.command("workflows").description("multi-step workflows (docs/workflows.md), run in-process");

  cmd.command("list")
    .description("list the workflows: the files of workflows.dir and those uploaded to the database")
    .option("-c, --config <file>", "configuration file (YAML; default ./liaison.yaml, else zero-config)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { config } = resolveConfig(opts.config);
      const list = await withEngine(config, async (engine) => (await Workflows.open(engine)).list());
      if (opts.json) io.out(`${JSON.stringify({ data: list }, null, 2)}\n`);
      else if (list.length === 0) io.out("no workflows (put <name>.yaml files in ./workflows, or set workflows.dir)\n");
      else io.out(table(["NAME", "VERSION", "INPUTS", "DESCRIPTION"], list.map((w) => [w.name, String(w.version), Object.keys(w.inputs).join(", ") || "-", show(w.description)])));
    });

  cmd.command("validate")
    .argument("<file>", "a workflow file (YAML or JSON)")
    .description("check a workflow file against the format and this gateway's models; exits non-zero naming the path of each problem")
    .option("-c, --config <file>", "configuration file (YAML; default ./liaison.yaml, else zero-config)")
    .action(async (file: string, opts: { config?: string }) => {
      const { config } = resolveConfig(opts.config);
      // Only the models are needed: no database is opened for a check.
      const checked = await withEngine({ ...config, storage: { url: "memory:" } }, async (engine) => {
        const { value } = readWorkflowFile(file);
        try {
          return (await Workflows.open(engine, { dir: null })).compile(value);
        } catch (err) {
          throw err instanceof WorkflowError ? err.in(`in ${file}`) : err;
        }
      });
      io.out(`${file}: ok (workflow ${checked.name}, ${checked.steps.length} step${checked.steps.length === 1 ? "" : "s"})\n`);
    });

  cmd.command("run")
    .argument("<name>", "the workflow's name")
    .description("run a workflow in-process; step progress on stderr, its outputs on stdout")
    .option("-c, --config <file>", "configuration file (YAML; default ./liaison.yaml, else zero-config)")
    .option("-i, --input <name=value>", "an input (repeatable); numbers, booleans and objects (JSON) follow the declared type", collect, [])
    .option("--json", "print the whole run record as JSON")
    .action(async (name: string, opts: { config?: string; input: string[]; json?: boolean }) => {
      const { config } = resolveConfig(opts.config);
      const record = await withEngine(config, async (engine) => {
        const workflows = await Workflows.open(engine);
        // Names and types first, so `n=5` becomes the number the workflow declares.
        const declared = (await workflows.list()).find((w) => w.name === name)?.inputs ?? {};
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once("SIGINT", stop);
        try {
          return await workflows.run(name, inputsFromPairs(declared, opts.input), { signal: controller.signal }, { onEvent: progress(io) });
        } finally {
          process.off("SIGINT", stop);
        }
      });
      io.err(`${record.status === "succeeded" ? "✓" : "✗"} run ${record.id} ${record.status}  ${ms(record.latency_ms)}  ${formatUsd(record.cost_usd)}\n`);
      if (opts.json) io.out(`${JSON.stringify(record, null, 2)}\n`);
      else if (record.outputs) {
        for (const [k, v] of Object.entries(record.outputs)) io.out(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}\n`);
      }
      if (record.status !== "succeeded") {
        if (!opts.json) io.err(`liaison: workflow ${name} failed: ${record.error?.message ?? "a step failed"}\n`);
        io.exitCode(1);
      }
    });
  return cmd;
}
