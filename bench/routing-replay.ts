/**
 * The replay harness: RouteLLM's MMLU and GSM8K per-prompt outcomes
 * (../shared/data/routing/, rows marked `contaminated` left out), split
 * 50/50 over five seeds. A router is trained on each training half with
 * `trainRouter` (the code `liaison router train` runs), its threshold for
 * 95 % quality taken from the training half (out-of-fold scores: the figure
 * a deployment would see) and applied to the test half.
 *
 *   node --import tsx bench/routing-replay.ts                  # every benchmark, the table for docs/routing.md
 *   node --import tsx bench/routing-replay.ts --only gsm8k --seeds 1,2 --C 2 --hand 0.5 --k 30 --json
 *   node --import tsx bench/routing-replay.ts --swap             # the same splits, the halves' roles swapped
 *   node --import tsx bench/routing-replay.ts --only gsm8k --seeds 1 --split-out /tmp/routing   # the halves as files, for the CLI
 *
 * Reported per benchmark (mean ± sd over the seeds, test halves):
 *  - calibrated: the strong share the training half's threshold gives, and the quality it reached;
 *  - best on test: the smallest strong share reaching 95 % on the test half itself (optimistic);
 *  - random mixing's share for 95 %; for GSM8K also the cascade (the judge of Mixtral's answer).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { atThreshold, baselines, pointForQuality, qualityCurve, type PairOutcome } from "../src/router/evaluate.js";
import { parseLabelledRows, type LabelledPrompt } from "../src/router/data.js";
import { seeded, shuffleInPlace } from "../src/router/random.js";
import { RouterModel } from "../src/router/router-model.js";
import { trainRouter, type TrainOptions } from "../src/router/train.js";

const DATA = new URL("../../shared/data/routing/", import.meta.url).pathname;
const QUALITY = 0.95;

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    seeds: { type: "string", default: "1,2,3,4,5" },
    C: { type: "string" },
    hand: { type: "string" },
    k: { type: "string" },
    power: { type: "string" },
    prior: { type: "string" },
    terms: { type: "string" },
    folds: { type: "string" },
    json: { type: "boolean", default: false },
    /** Train on the second half and test on the first: the same splits with the roles swapped. */
    swap: { type: "boolean", default: false },
    /** Only write each seed's halves as JSONL (DIR/<benchmark>-seed<N>-train.jsonl, -test.jsonl) for `liaison router train | eval`, and stop. */
    "split-out": { type: "string" },
  },
});

interface Bench { name: string; file: string; keep?: (r: LabelledPrompt) => boolean; cascade?: boolean }

const BENCHES: Bench[] = [
  { name: "mmlu", file: "routellm_mmlu.jsonl" },
  { name: "mmlu-no-hs-math", file: "routellm_mmlu.jsonl", keep: (r) => r.extra?.subject !== "high_school_mathematics" },
  { name: "gsm8k", file: "routellm_gsm8k.jsonl", cascade: true },
];

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
const trainOptions: TrainOptions = {
  ...(args.C ? { C: num(args.C)! } : {}),
  ...(args.hand ? { handScale: num(args.hand)! } : {}),
  ...(args.folds ? { folds: num(args.folds)! } : {}),
  knn: {
    ...(args.k ? { k: num(args.k)! } : {}),
    ...(args.power ? { power: num(args.power)! } : {}),
    ...(args.prior ? { prior: num(args.prior)! } : {}),
    ...(args.terms ? { terms: num(args.terms)! } : {}),
  },
};

interface SeedResult {
  seed: number;
  rows: { train: number; test: number };
  accuracy: { strong: number; weak: number };
  randomShare: number;
  calibrated: { share: number; quality: number };
  bestOnTest: number;
  cascade?: { share: number; quality: number; bestOnTest: number };
  scoreMsP50: number;
}

function halves(rows: LabelledPrompt[], seed: number): { train: LabelledPrompt[]; test: LabelledPrompt[] } {
  const order = shuffleInPlace(rows.map((_, i) => i), seeded(seed));
  const half = Math.floor(order.length / 2);
  const [first, second] = [order.slice(0, half), order.slice(half)];
  return { train: (args.swap ? second : first).map((i) => rows[i]!), test: (args.swap ? first : second).map((i) => rows[i]!) };
}

/** A row back in the shape `router train` reads. */
const asJsonl = (rows: LabelledPrompt[]) => rows.map((r) => JSON.stringify({ id: r.id, prompt: r.prompt, scores: r.outcomes, ...(r.responses ? { response: r.responses } : {}), ...r.extra })).join("\n") + "\n";

function runSeed(rows: LabelledPrompt[], seed: number, cascade: boolean): SeedResult {
  const { train, test } = halves(rows, seed);
  const file = trainRouter(train, { ...trainOptions, seed });
  const model = new RouterModel(file);
  const [weak, strong] = file.models.map((m) => m.name) as [string, string];
  const outcomes: PairOutcome[] = test.map((r) => ({ strong: r.outcomes[strong]!, weak: r.outcomes[weak]! }));
  const times: number[] = [];
  const scores = test.map((r) => {
    const t = performance.now();
    const s = model.score(r.prompt).scores[0]!;
    times.push(performance.now() - t);
    return s;
  });
  times.sort((a, b) => a - b);
  const threshold = model.thresholds(QUALITY)[0]!;
  const cal = atThreshold(scores, outcomes, threshold);
  const b = baselines(outcomes);
  const result: SeedResult = {
    seed,
    rows: { train: train.length, test: test.length },
    accuracy: { strong: b.strongAccuracy, weak: b.weakAccuracy },
    randomShare: b.randomShare(QUALITY),
    calibrated: { share: cal.strongShare, quality: cal.quality },
    bestOnTest: pointForQuality(qualityCurve(scores, outcomes), QUALITY).strongShare,
    scoreMsP50: times[Math.floor(times.length / 2)]!,
  };
  if (cascade && model.hasJudge) {
    const esc = test.map((r, i) => model.judge(r.prompt, r.responses?.[weak] ?? "", undefined, scores[i]!)!);
    const c = atThreshold(esc, outcomes, model.judgeThreshold(QUALITY)!);
    result.cascade = { share: c.strongShare, quality: c.quality, bestOnTest: pointForQuality(qualityCurve(esc, outcomes), QUALITY).strongShare };
  }
  return result;
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a: number[]) => (a.length < 2 ? 0 : Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1)));
const pct = (a: number[]) => `${(100 * mean(a)).toFixed(1)} ± ${(100 * sd(a)).toFixed(1)} %`;

const seeds = args.seeds!.split(",").map(Number);
const report: Record<string, SeedResult[]> = {};
for (const bench of BENCHES.filter((b) => !args.only || args.only.split(",").includes(b.name))) {
  const { rows: all } = parseLabelledRows(readFileSync(DATA + bench.file, "utf8"), bench.file);
  const rows = bench.keep ? all.filter(bench.keep) : all;
  const dir = args["split-out"];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    for (const seed of seeds) {
      const { train, test } = halves(rows, seed);
      writeFileSync(`${dir}/${bench.name}-seed${seed}-train.jsonl`, asJsonl(train));
      writeFileSync(`${dir}/${bench.name}-seed${seed}-test.jsonl`, asJsonl(test));
      process.stderr.write(`wrote ${dir}/${bench.name}-seed${seed}-{train,test}.jsonl (${train.length} / ${test.length} rows)\n`);
    }
    continue;
  }
  report[bench.name] = seeds.map((seed) => {
    const r = runSeed(rows, seed, bench.cascade === true);
    process.stderr.write(`${bench.name} seed ${seed}: calibrated ${(100 * r.calibrated.share).toFixed(1)} % at quality ${(100 * r.calibrated.quality).toFixed(2)} %, best on test ${(100 * r.bestOnTest).toFixed(1)} %` +
      (r.cascade ? `; cascade ${(100 * r.cascade.share).toFixed(1)} % at ${(100 * r.cascade.quality).toFixed(2)} % (best ${(100 * r.cascade.bestOnTest).toFixed(1)} %)` : "") + "\n");
    return r;
  });
}

if (args["split-out"]) {
  // The halves only.
} else if (args.json) {
  process.stdout.write(`${JSON.stringify({ options: trainOptions, seeds, report }, null, 2)}\n`);
} else {
  // Always-strong is 100 % strong calls at quality 100 %; always-weak is 0 % at the quality in its column.
  const lines = [
    "| benchmark | rows (train / test) | always weak: quality | random mixing | calibrated strong share | quality reached | best on test half |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const [name, rs] of Object.entries(report)) {
    const rows = `${rs[0]!.rows.train} / ${rs[0]!.rows.test}`;
    const weakQ = pct(rs.map((r) => r.accuracy.weak / r.accuracy.strong));
    lines.push(`| ${name}, routed before any call | ${rows} | ${weakQ} | ${pct(rs.map((r) => r.randomShare))} | ${pct(rs.map((r) => r.calibrated.share))} | ${pct(rs.map((r) => r.calibrated.quality))} | ${pct(rs.map((r) => r.bestOnTest))} |`);
    const c = rs.filter((r) => r.cascade).map((r) => r.cascade!);
    if (c.length) lines.push(`| ${name}, cascade (the weak answer judged) | ${rows} | ${weakQ} | ${pct(rs.map((r) => r.randomShare))} | ${pct(c.map((x) => x.share))} | ${pct(c.map((x) => x.quality))} | ${pct(c.map((x) => x.bestOnTest))} |`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
