/**
 * `liaison prompts eval` and `gateway.prompts.eval` (DESIGN.md §7): the
 * chosen versions of a prompt (by number, by label, or every version) run
 * over the same dataset rows with one scorer, compared, and the report
 * stored with the prompt (GET /v1/prompts/{name}/evals).
 */
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { CallOptions } from "../engine/call-options.js";
import type { DatasetRow } from "./dataset.js";
import { buildReport, type EvalReport, type VersionScores } from "./eval-report.js";
import { checkRows, evalEnv, runCandidate } from "./evaluate.js";
import type { Prompts, ResolvedPrompt } from "./prompts.js";

export interface EvalProgress {
  /** What is being run: `version 2`, `candidate c3 (train)`. */
  label: string;
  done: number;
  total: number;
}

export interface EvalOptions {
  prompt: string;
  /** Versions to compare; or `labels`; neither: every version. */
  versions?: number[];
  labels?: string[];
  rows: DatasetRow[];
  /** exact, contains, regex, json_schema, numeric[:TOL], judge:MODEL. */
  scorer: string;
  /** Run every version with this model instead of its own. */
  model?: string;
  /** json_schema: one schema for every row. */
  schema?: Record<string, unknown>;
  /** numeric: the tolerance. */
  tolerance?: number;
  /** Rows in flight at once (default 4). */
  concurrency?: number;
  /** Seeds the bootstrap (default 1). */
  seed?: number;
  /** The dataset's name, for the report. */
  dataset?: string;
  /** The caller's options every call starts from: key, metadata, signal. */
  caller?: CallOptions;
  onProgress?: (p: EvalProgress) => void;
  /** Store the report (default true). */
  save?: boolean;
}

async function chosen(prompts: Prompts, o: EvalOptions): Promise<ResolvedPrompt[]> {
  if (o.versions?.length && o.labels?.length) throw new GatewayError("invalid_request", "Choose versions or labels, not both.", { param: "versions" });
  if (o.labels?.length) return Promise.all(o.labels.map((label) => prompts.resolve(o.prompt, { label })));
  const versions = o.versions?.length ? o.versions : (await prompts.get(o.prompt)).versions;
  return Promise.all([...new Set(versions)].map((version) => prompts.resolve(o.prompt, { version })));
}

export async function evaluatePrompt(prompts: Prompts, o: EvalOptions): Promise<EvalReport> {
  if (o.rows.length === 0) throw new GatewayError("invalid_request", "The dataset has no rows.", { param: "dataset" });
  const id = newId("peval");
  const engine = prompts.engine;
  const env = evalEnv((body, options) => engine.chat(body, options), {
    scorer: o.scorer, concurrency: o.concurrency, metadata: { prompt_eval: id },
    ...(o.caller ? { caller: o.caller } : {}), ...(o.schema ? { schema: o.schema } : {}), ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }),
  });
  const picked = await chosen(prompts, o);
  // Everything checked before the first call: a bad row or a model no version can use is a 400 now, not after half the run.
  for (const p of picked) {
    const what = `prompt '${p.name}' version ${p.version}`;
    if ((o.model ?? p.template.model) === null) throw new GatewayError("invalid_request", `${what} names no model: pass a model to run it with.`, { param: "model" });
    checkRows(env, p.template, o.rows, what);
  }
  const runs: VersionScores[] = [];
  for (const p of picked) {
    const label = `version ${p.version}${p.label ? ` (${p.label})` : ""}`;
    let done = 0;
    o.onProgress?.({ label, done, total: o.rows.length });
    const run = await runCandidate(env, p.template, o.rows, {
      ...(o.model ? { model: o.model } : {}), what: `prompt '${p.name}' version ${p.version}`,
      tag: { prompt: { name: p.name, version: p.version } },
      onRow: () => o.onProgress?.({ label, done: ++done, total: o.rows.length }),
    });
    runs.push({ version: p.version, ...(o.labels?.length && p.label ? { label: p.label } : {}), scores: run.scores, costUsd: run.costUsd, p50Ms: run.p50Ms, errors: run.errors });
  }
  const report = buildReport(runs, {
    prompt: o.prompt, id, created_at: new Date().toISOString(), scorer: o.scorer, model: o.model ?? null,
    dataset: o.dataset ?? null, judge_cost_usd: env.judgeCostUsd,
  }, o.seed ?? 1);
  if (o.save !== false) await prompts.saveEval({ id, prompt: o.prompt, created_at: report.created_at, report: report as unknown as Record<string, unknown> });
  return report;
}
