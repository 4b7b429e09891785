/**
 * `liaison prompts optimize` and `gateway.prompts.optimize` (DESIGN.md §7,
 * docs/prompts.md "Optimization"). The dataset is split (seeded) into a
 * training and a held-out part. Each round, every template in the beam
 * gets variants: instructions rewritten by a proposer model from its
 * training failures (./proposer.ts) and, once per lineage, worked examples
 * from the training split (./few-shot.ts); all are scored on the training
 * split and the best few (the beam) go on to the next round. At the end the
 * beam and the original are run on the held-out rows, which no step above
 * has seen: the variant best there is the winner, and it is saved as a new
 * version when it beats the original there. The tool never moves a label.
 */
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { CallOptions } from "../engine/call-options.js";
import { seeded, shuffleInPlace } from "../router/random.js";
import type { DatasetRow } from "./dataset.js";
import type { PromptMessage } from "./definition.js";
import type { EvalProgress } from "./eval-run.js";
import { checkRows, evalEnv, runCandidate, textOf, type RunResult } from "./evaluate.js";
import { pickDemos, withDemos, type Demo } from "./few-shot.js";
import type { OptimizeReport, Scores } from "./optimize-report.js";
import { parseProposal, proposerRequest, type Failure } from "./proposer.js";
import type { Prompts } from "./prompts.js";
import { mean, meanInterval, pairedBootstrap, r4, signTest } from "./stats.js";

export interface OptimizeOptions {
  prompt: string;
  /** The version to improve (default: the `production` label's, else the latest); or `label`. */
  version?: number;
  label?: string;
  rows: DatasetRow[];
  scorer: string;
  /** The model that writes the rewrites. */
  proposer: string;
  /** Rounds of proposals (default 3). */
  rounds?: number;
  /** Run the candidates with this model instead of the prompt's own. */
  model?: string;
  /** Seeds the split, the demos and the bootstrap (default 1). */
  seed?: number;
  /** The held-out share of the rows (default 0.3). */
  holdout?: number;
  /** Templates kept each round (default 3). */
  beam?: number;
  /** Rewrites asked of the proposer per template per round (default 2). */
  rewrites?: number;
  /** Worked examples in a few-shot variant (default 3; 0: none). */
  shots?: number;
  schema?: Record<string, unknown>;
  tolerance?: number;
  concurrency?: number;
  caller?: CallOptions;
  onProgress?: (p: EvalProgress) => void;
  /** Save the winner as a new version when it beats the original (default true). */
  save?: boolean;
}

interface Candidate {
  id: string;
  origin: "original" | "rewrite" | "fewshot";
  parent: string | null;
  round: number;
  messages: PromptMessage[];
  demos: number;
  train?: RunResult;
  holdout?: RunResult;
}

/** Rows shuffled (seeded) and cut: at least one in each part. */
export function splitRows<T>(rows: readonly T[], holdout: number, seed: number): { train: T[]; holdout: T[] } {
  const order = shuffleInPlace([...rows], seeded(seed));
  const n = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * holdout)));
  return { holdout: order.slice(0, n), train: order.slice(n) };
}

const scoresOf = (r: RunResult | undefined, seed: number): Scores | null => {
  if (!r) return null;
  const m = meanInterval(r.scores, seed);
  return { n: r.scores.length, mean: r4(m.mean), ci_low: r4(m.ci.low), ci_high: r4(m.ci.high) };
};
const trainMean = (c: Candidate): number => mean(c.train?.scores ?? []);
const lastUser = (messages: readonly { role: string; content?: unknown }[]): string =>
  String([...messages].reverse().find((m) => m.role === "user")?.content ?? "");
const asText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export async function optimizePrompt(prompts: Prompts, o: OptimizeOptions): Promise<OptimizeReport> {
  const seed = o.seed ?? 1;
  const rounds = o.rounds ?? 3;
  const beamSize = Math.max(1, o.beam ?? 3);
  const rewrites = Math.max(0, o.rewrites ?? 2);
  const shots = Math.max(0, o.shots ?? 3);
  const holdoutShare = o.holdout ?? 0.3;
  if (!(holdoutShare > 0 && holdoutShare < 1)) throw new GatewayError("invalid_request", "holdout must be a share between 0 and 1.", { param: "holdout" });
  if (o.rows.length < 4) throw new GatewayError("invalid_request", "Optimizing needs a dataset of at least 4 rows (a training and a held-out part).", { param: "dataset" });

  const base = await prompts.resolve(o.prompt, { ...(o.version === undefined ? {} : { version: o.version }), ...(o.label === undefined ? {} : { label: o.label }) });
  const model = o.model ?? base.template.model;
  if (model === null) throw new GatewayError("invalid_request", `Prompt '${base.name}' version ${base.version} names no model: pass a model to run it with.`, { param: "model" });
  prompts.engine.router.resolve(o.proposer); // an unknown proposer is a 404 before anything runs

  const id = newId("popt");
  const engine = prompts.engine;
  const env = evalEnv((body, options) => engine.chat(body, options), {
    scorer: o.scorer, concurrency: o.concurrency, metadata: { prompt_optimize: id },
    ...(o.caller ? { caller: o.caller } : {}), ...(o.schema ? { schema: o.schema } : {}), ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }),
  });
  const what = `prompt '${base.name}' version ${base.version}`;
  checkRows(env, base.template, o.rows, what);
  const split = splitRows(o.rows, holdoutShare, seed);
  const random = seeded(seed + 1);
  let proposerUsd = 0;

  const params = base.template.params;
  const run = async (c: Candidate, part: "train" | "holdout"): Promise<RunResult> => {
    const rows = part === "train" ? split.train : split.holdout;
    const label = `${c.id} (${part === "train" ? "training" : "held-out"} split)`;
    let done = 0;
    o.onProgress?.({ label, done, total: rows.length });
    return runCandidate(env, { messages: c.messages, model, params }, rows, {
      what, tag: { metadata: { prompt_candidate: c.id } },
      onRow: () => o.onProgress?.({ label, done: ++done, total: rows.length }),
    });
  };

  const all: Candidate[] = [{ id: "c0", origin: "original", parent: null, round: 0, messages: base.template.messages, demos: 0 }];
  const rejected: { parent: string; round: number; reason: string }[] = [];
  const seen = new Set([JSON.stringify(all[0]!.messages)]);
  const add = (c: Omit<Candidate, "id">): Candidate | undefined => {
    const key = JSON.stringify(c.messages);
    if (seen.has(key)) return undefined;
    seen.add(key);
    const made = { ...c, id: `c${all.length}` };
    all.push(made);
    return made;
  };
  all[0]!.train = await run(all[0]!, "train");
  let beam = [all[0]!];
  let completed = 0;

  for (let round = 1; round <= rounds; round++) {
    if (trainMean(beam[0]!) >= 1) break; // nothing left to learn from the training split
    const fresh: Candidate[] = [];
    for (const parent of beam) {
      const outcomes = parent.train!.rows;
      const failures: Failure[] = split.train.flatMap((row, i) => (outcomes[i]!.score < 1
        ? [{ input: lastUser(outcomes[i]!.input), answer: outcomes[i]!.answer, expected: asText(row.expected ?? "") }] : []));
      for (let k = 1; k <= rewrites && failures.length > 0; k++) {
        const { value, meta } = await engine.chat(proposerRequest(o.proposer, { template: parent.messages, failures, variant: k, of: rewrites }),
          { ...env.caller, cache: { mode: "bypass", write: false }, metadata: { ...env.caller.metadata, prompt_proposer: true } });
        proposerUsd += meta.costUsd ?? 0;
        const proposal = parseProposal(textOf(value), base.template.messages);
        if ("problem" in proposal) rejected.push({ parent: parent.id, round, reason: proposal.problem });
        else {
          const c = add({ origin: "rewrite", parent: parent.id, round, messages: proposal.messages, demos: 0 });
          if (c) fresh.push(c);
        }
      }
      if (shots > 0 && parent.demos === 0) {
        const good: Demo[] = split.train.flatMap((_, i) => (outcomes[i]!.score >= 1 ? [{ user: lastUser(outcomes[i]!.input), assistant: outcomes[i]!.answer }] : []));
        const labelled: Demo[] = split.train.flatMap((row, i) => (typeof row.expected === "string" ? [{ user: lastUser(outcomes[i]!.input), assistant: row.expected }] : []));
        const demos = pickDemos(good.length > 0 ? good : labelled, shots, random);
        const c = demos.length > 0 ? add({ origin: "fewshot", parent: parent.id, round, messages: withDemos(parent.messages, demos), demos: demos.length }) : undefined;
        if (c) fresh.push(c);
      }
    }
    for (const c of fresh) c.train = await run(c, "train");
    // The beam: the best on the training split so far, earlier candidates first on a tie.
    beam = all.filter((c) => c.train).sort((a, b) => trainMean(b) - trainMean(a) || Number(a.id.slice(1)) - Number(b.id.slice(1))).slice(0, beamSize);
    completed = round;
  }

  const original = all[0]!;
  original.holdout = await run(original, "holdout");
  const finalists = beam.filter((c) => c !== original);
  for (const c of finalists) c.holdout = await run(c, "holdout");
  const heldOut = (c: Candidate): number => mean(c.holdout?.scores ?? []);
  const best = [...finalists].sort((a, b) => heldOut(b) - heldOut(a) || trainMean(b) - trainMean(a) || Number(a.id.slice(1)) - Number(b.id.slice(1)))[0] ?? original;
  const b = pairedBootstrap(best.holdout!.scores, original.holdout.scores, seed);
  const s = signTest(best.holdout!.scores, original.holdout.scores);
  const improved = best !== original && heldOut(best) > heldOut(original);

  let saved: { version: number } | null = null;
  if (improved && o.save !== false) {
    const description = `Optimized from version ${base.version} by liaison prompts optimize (${id}; scorer ${o.scorer}, seed ${seed}): held-out mean ${heldOut(best).toFixed(3)} against ${heldOut(original).toFixed(3)} on ${split.holdout.length} rows.`;
    const created = await prompts.create({ name: base.name, messages: best.messages, model: base.template.model, params: base.template.params, description }, { source: "optimizer", createdBy: o.caller?.keyId ?? null });
    saved = { version: created.version };
  }
  const usd = all.reduce((sum, c) => sum + (c.train?.costUsd ?? 0) + (c.holdout?.costUsd ?? 0), proposerUsd + env.judgeCostUsd);
  return {
    prompt: base.name, id, created_at: new Date().toISOString(), base_version: base.version, scorer: o.scorer, proposer: o.proposer, model: o.model ?? null, seed,
    split: { train: split.train.length, holdout: split.holdout.length }, rounds: completed,
    candidates: all.map((c) => ({ id: c.id, origin: c.origin, parent: c.parent, round: c.round, demos: c.demos, train: scoresOf(c.train, seed), holdout: scoresOf(c.holdout, seed), messages: c.messages })),
    rejected,
    original: { candidate: original.id, holdout: scoresOf(original.holdout, seed)! },
    best: { candidate: best.id, holdout: scoresOf(best.holdout, seed)! },
    comparison: { diff: r4(b.diff), ci_low: r4(b.ci.low), ci_high: r4(b.ci.high), wins: s.wins, losses: s.losses, p_value: Number(s.p.toPrecision(4)), significant: b.ci.low > 0 },
    improved, saved, cost_usd: Math.round(usd * 1e10) / 1e10,
  };
}
