/**
 * Scoring latency of a learned router: one prompt's score (features,
 * TF-IDF, the logistic pairs, the kNN competence, the blend), p50 / p99 /
 * max over real prompts, after a warm-up. The router is trained here on
 * half of RouteLLM's MMLU (7k prompts in its kNN memory: the size a
 * deployment trained on its own logs would have), or read with --router.
 *
 *   node --import tsx bench/router.bench.ts [--router router.json] [--rounds 3]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseLabelledRows } from "../src/router/data.js";
import { seeded, shuffleInPlace } from "../src/router/random.js";
import { readRouterFile } from "../src/router/router-file.js";
import { RouterModel } from "../src/router/router-model.js";
import { trainRouter } from "../src/router/train.js";

const DATA = new URL("../../shared/data/routing/", import.meta.url).pathname;
const { values: args } = parseArgs({ options: { router: { type: "string" }, rounds: { type: "string", default: "3" } } });

const mmlu = parseLabelledRows(readFileSync(`${DATA}routellm_mmlu.jsonl`, "utf8")).rows;
const gsm8k = parseLabelledRows(readFileSync(`${DATA}routellm_gsm8k.jsonl`, "utf8")).rows;
const order = shuffleInPlace(mmlu.map((_, i) => i), seeded(1));
const train = order.slice(0, order.length >> 1).map((i) => mmlu[i]!);
const prompts = [...order.slice(order.length >> 1).map((i) => mmlu[i]!.prompt), ...gsm8k.map((r) => r.prompt)];

let t = performance.now();
const file = args.router ? readRouterFile(args.router) : trainRouter(train, { seed: 1 });
process.stdout.write(`router: ${args.router ?? `trained on ${train.length} MMLU prompts`} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
t = performance.now();
const model = new RouterModel(file);
process.stdout.write(`loaded in ${(performance.now() - t).toFixed(0)} ms; kNN memory ${model.memory} examples\n`);

t = performance.now();
model.score(prompts[0]!);
const cold = performance.now() - t;
for (const p of prompts.slice(0, 500)) model.score(p); // warm-up: JIT

const times: number[] = [];
for (let r = 0; r < Number(args.rounds); r++) {
  for (const p of prompts) {
    const s = performance.now();
    model.score(p);
    times.push(performance.now() - s);
  }
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
const chars = prompts.map((p) => p.length).sort((a, b) => a - b);
process.stdout.write(`${times.length} scorings of ${prompts.length} prompts (median ${chars[chars.length >> 1]} chars, max ${chars[chars.length - 1]}):\n`);
process.stdout.write(`  p50 ${at(0.5).toFixed(3)} ms   p90 ${at(0.9).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   max ${times[times.length - 1]!.toFixed(3)} ms   first (cold) ${cold.toFixed(3)} ms\n`);
