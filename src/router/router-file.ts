/**
 * The router file: everything a trained router needs at run time, as one
 * JSON document (no weights are fetched from anywhere). `version` changes
 * whenever a field changes meaning; a gateway refuses a version it does not
 * know instead of routing with a misread file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { BlendState } from "./blend.js";
import type { PairTable, LadderTable } from "./calibration.js";
import type { FeaturiserState } from "./featuriser.js";
import type { Standardiser } from "./features.js";
import type { KnnState } from "./knn.js";
import type { PairState } from "./train-pair.js";

export const ROUTER_FILE_FORMAT = "liaison-router";
export const ROUTER_FILE_VERSION = 1;

/** How often the strong model was right given the weak one's outcome, and the reverse: what feedback on one model says about the pair. */
export interface Conditionals {
  strongIfWeakRight: number;
  strongIfWeakWrong: number;
  weakIfStrongRight: number;
  weakIfStrongWrong: number;
}

/** One rung: the rung's model (weaker) against the strongest. */
export interface RungState {
  weak: string;
  pair: PairState;
  /** The same pair over the hand-made features alone: on small data the TF-IDF part cannot drown them. */
  hand: PairState;
  /** Over [pair gain, kNN competence, hand pair gain]. */
  blend: BlendState;
  /** Thresholds per grid quality, for this pair alone. */
  table: PairTable;
  conditionals: Conditionals;
}

/** The cascade's judge of the weakest model's answers. */
export interface JudgeState {
  /** The model whose answers it was trained on. */
  model: string;
  /** Over the answer features, then the prompt's hand features. */
  standardiser: Standardiser;
  pair: PairState;
  /** Thresholds on the escalation score per grid quality. */
  table: PairTable;
}

export interface RouterFile {
  format: typeof ROUTER_FILE_FORMAT;
  version: typeof ROUTER_FILE_VERSION;
  created_at: string;
  /** Weakest first; the last is the strongest. */
  models: { name: string; accuracy: number }[];
  featuriser: FeaturiserState;
  /** rungs[r]: models[r] against the strongest. */
  rungs: RungState[];
  knn: KnnState;
  calibration: {
    quality: number[];
    /** With more than one rung: thresholds chosen together. */
    ladder?: LadderTable;
  };
  judge?: JudgeState;
  training: {
    rows: number;
    seed: number;
    folds: number;
    /** The out-of-fold quality–cost curve of the first rung (for `router eval` plots). */
    curve: { strong_share: number[]; quality: number[] };
  };
}

const num = z.number();
const nums = z.array(num);
// NaN labels (unobserved) are written as null by JSON.
const label = z.union([num, z.null()]).transform((v) => (v === null ? Number.NaN : v));
const logistic = z.object({ w: nums, b: num });
const pair = z.object({ a: logistic, b: logistic });
const table = z.object({ thresholds: nums, strongShare: nums });
const standardiser = z.object({ mean: nums, sd: nums });

const schema = z.object({
  format: z.literal(ROUTER_FILE_FORMAT),
  version: z.literal(ROUTER_FILE_VERSION),
  created_at: z.string(),
  models: z.array(z.object({ name: z.string(), accuracy: num })).min(2),
  featuriser: z.object({ tfidf: z.object({ terms: z.array(z.string()), idf: nums }), standardiser, handScale: num }),
  rungs: z.array(z.object({
    weak: z.string(),
    pair,
    hand: pair,
    blend: z.object({ intercept: num, weights: nums }),
    table,
    conditionals: z.object({ strongIfWeakRight: num, strongIfWeakWrong: num, weakIfStrongRight: num, weakIfStrongWrong: num }),
  })).min(1),
  knn: z.object({
    options: z.object({ k: num, power: num, prior: num, terms: num, maxOnline: num }),
    examples: z.array(z.object({ idx: nums, val: nums, y: z.array(label), w: num })),
  }),
  calibration: z.object({ quality: nums, ladder: z.object({ thresholds: z.array(nums), shares: z.array(nums) }).optional() }),
  judge: z.object({ model: z.string(), standardiser, pair, table }).optional(),
  training: z.object({ rows: num, seed: num, folds: num, curve: z.object({ strong_share: nums, quality: nums }) }),
});

/** Checks a parsed document; throws naming what is wrong (a version this gateway does not read, a missing part). */
export function parseRouterFile(doc: unknown, source = "router file"): RouterFile {
  const v = (doc as { version?: unknown } | null)?.version;
  if ((doc as { format?: unknown } | null)?.format !== ROUTER_FILE_FORMAT) throw new Error(`${source}: not a Liaison router file (format must be "${ROUTER_FILE_FORMAT}")`);
  if (v !== ROUTER_FILE_VERSION) throw new Error(`${source}: router file version ${String(v)} is not supported (this gateway reads version ${ROUTER_FILE_VERSION}; retrain with 'liaison router train')`);
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const file = parsed.data as RouterFile;
  if (file.rungs.length !== file.models.length - 1) throw new Error(`${source}: ${file.models.length} models need ${file.models.length - 1} rungs, found ${file.rungs.length}`);
  return file;
}

export function readRouterFile(path: string): RouterFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`router file ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`router file ${path}: not JSON`);
  }
  return parseRouterFile(doc, `router file ${path}`);
}

/** Numbers rounded to 6 significant digits: a third of the size, and no score moves by more than rounding noise. */
export function serialiseRouterFile(file: RouterFile): string {
  return JSON.stringify(file, (_k, v: unknown) => (typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
}

export function writeRouterFile(path: string, file: RouterFile): void {
  writeFileSync(path, serialiseRouterFile(file));
}
