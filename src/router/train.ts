/**
 * Training a router from labelled prompts (see ./data.ts):
 *
 *  1. the featuriser: TF-IDF (1–2-grams) fitted on the prompts, and the
 *     hand-made features' means and deviations;
 *  2. per rung (the weak model against the strongest; one rung for a pair):
 *     the logistic pair, fitted fold by fold for out-of-fold gains, then on
 *     every row;
 *  3. the kNN memory of every prompt with its labels (leave-one-out
 *     competences stand in for out-of-fold ones);
 *  4. per rung, the blend of the two out-of-fold predictions, and the
 *     calibration table of its out-of-fold scores;
 *  5. with answers in the data, the cascade's judge (./train-judge.ts).
 *
 * Deterministic given the seed. Prices play no part: they come from the
 * gateway's catalogue or config when the router is used.
 */
import { blendScore, fitBlend } from "./blend.js";
import { ladderTable, pairTable, QUALITY_GRID } from "./calibration.js";
import { modelsByMean, type LabelledPrompt } from "./data.js";
import { qualityCurve } from "./evaluate.js";
import { Featuriser } from "./featuriser.js";
import { KnnMemory, KNN_DEFAULTS, type KnnOptions } from "./knn.js";
import { folds as makeFolds, seeded } from "./random.js";
import { parseRouterFile, ROUTER_FILE_FORMAT, ROUTER_FILE_VERSION, serialiseRouterFile, type Conditionals, type RouterFile, type RungState } from "./router-file.js";
import type { TfidfOptions } from "./tfidf.js";
import { trainJudge } from "./train-judge.js";
import { pairLabels, trainPair } from "./train-pair.js";

export interface TrainOptions {
  /** The pair to route between; default: the highest and the lowest mean outcome in the data. */
  strong?: string;
  weak?: string;
  /** Every model in the data as a ladder (weakest first) instead of one pair. */
  ladder?: boolean;
  seed?: number;
  folds?: number;
  /** The logistic models' inverse regularisation. */
  C?: number;
  /** Weight of the hand-made features against the TF-IDF part. */
  handScale?: number;
  tfidf?: TfidfOptions;
  knn?: KnnOptions;
  /** Train the cascade's judge when the data has the weakest model's answers (default true). */
  judge?: boolean;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  phase: "features" | "logistic" | "knn" | "blend" | "judge" | "done";
  done: number;
  total: number;
}

export const TRAIN_DEFAULTS = { seed: 1, folds: 5, C: 1, handScale: 0.3 } as const;

/** The hand-features-only pair has a few dense columns: a light prior. */
const HAND_C = 10;

/** Which models, weakest first (the strongest last). */
export function chooseModels(rows: readonly LabelledPrompt[], options: Pick<TrainOptions, "strong" | "weak" | "ladder">): string[] {
  const ranked = modelsByMean(rows).map((m) => m.model);
  if (ranked.length < 2) throw new Error("the data needs outcomes for at least two models on every row");
  for (const m of [options.strong, options.weak]) {
    if (m !== undefined && !ranked.includes(m)) throw new Error(`model '${m}' has no outcome on every row (models: ${ranked.join(", ")})`);
  }
  if (options.ladder && !options.strong && !options.weak) return ranked.slice().reverse();
  const strong = options.strong ?? ranked.find((m) => m !== options.weak)!;
  const weak = options.weak ?? [...ranked].reverse().find((m) => m !== strong)!;
  if (strong === weak) throw new Error("--strong and --weak must name different models");
  return [weak, strong];
}

function conditionals(strong: readonly number[], weak: readonly number[]): Conditionals {
  let sw = 0, w = 0, sNotW = 0, notW = 0, ws = 0, s = 0, wNotS = 0, notS = 0;
  for (let i = 0; i < strong.length; i++) {
    const si = strong[i]!;
    const wi = weak[i]!;
    sw += si * wi; w += wi; sNotW += si * (1 - wi); notW += 1 - wi;
    ws += wi * si; s += si; wNotS += wi * (1 - si); notS += 1 - si;
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0.5);
  return { strongIfWeakRight: ratio(sw, w), strongIfWeakWrong: ratio(sNotW, notW), weakIfStrongRight: ratio(ws, s), weakIfStrongWrong: ratio(wNotS, notS) };
}

export function trainRouter(rows: readonly LabelledPrompt[], options: TrainOptions = {}): RouterFile {
  if (rows.length < 20) throw new Error(`too few rows to train on (${rows.length}; at least 20)`);
  const seed = options.seed ?? TRAIN_DEFAULTS.seed;
  const k = Math.min(options.folds ?? TRAIN_DEFAULTS.folds, rows.length);
  const models = chooseModels(rows, options);
  const strong = models[models.length - 1]!;
  const rungs = models.length - 1;
  const wantJudge = options.judge !== false && rows.filter((r) => r.responses?.[models[0]!] !== undefined).length >= 20;
  const fits = (k + 1) * 4 * rungs + (wantJudge ? (k + 1) * 2 : 0);
  let done = 0;
  const total = 1 + fits + 2;
  const progress = (phase: TrainProgress["phase"]) => options.onProgress?.({ phase, done, total });

  progress("features");
  const prompts = rows.map((r) => r.prompt);
  const featuriser = Featuriser.fit(prompts, { handScale: options.handScale ?? TRAIN_DEFAULTS.handScale, ...(options.tfidf ? { tfidf: options.tfidf } : {}) });
  const encoded = prompts.map((p) => featuriser.encode(p));
  const design = encoded.map((e) => e.row);
  const handDesign = encoded.map((e) => e.hand);
  const folds = makeFolds(rows.length, k, seeded(seed));
  done++;

  const outcome = (m: string) => rows.map((r) => r.outcomes[m]!);
  const strongOut = outcome(strong);
  const lrOptions = { C: options.C ?? TRAIN_DEFAULTS.C };
  const gains: number[][] = [];
  const handGains: number[][] = [];
  const ys: number[][] = [];
  const step = () => {
    done++;
    progress("logistic");
  };
  const pairs = models.slice(0, -1).map((weak) => {
    const labels = pairLabels(strongOut, outcome(weak));
    ys.push(labels.y);
    const fit = trainPair(design, featuriser.columns, labels, folds, lrOptions, step);
    const hand = trainPair(handDesign, featuriser.handColumns, labels, folds, { C: HAND_C }, step);
    gains.push(fit.oof);
    handGains.push(hand.oof);
    return { pair: fit.state, hand: hand.state };
  });

  progress("knn");
  const knnOptions = { ...KNN_DEFAULTS, ...options.knn };
  const knn = new KnnMemory({
    options: knnOptions,
    examples: encoded.map((e, i) => ({ ...KnnMemory.compact(e.text, knnOptions.terms), y: ys.map((y) => y[i]!), w: 1 })),
  }, rungs);
  const competence = encoded.map((e, i) => knn.competence(knn.query(e.text), new Array<number>(rungs), i));
  done++;

  progress("blend");
  const rungScores: number[][] = [];
  const rungStates: RungState[] = models.slice(0, -1).map((weak, r) => {
    const x = rows.map((_, i) => [gains[r]![i]!, competence[i]![r]!, handGains[r]![i]!]);
    const blend = fitBlend(x, ys[r]!);
    const scores = x.map((xi) => blendScore(blend, xi));
    rungScores.push(scores);
    const weakOut = outcome(weak);
    return {
      weak,
      pair: pairs[r]!.pair,
      hand: pairs[r]!.hand,
      blend,
      table: pairTable(scores, rows.map((_, i) => ({ strong: strongOut[i]!, weak: weakOut[i]! }))),
      conditionals: conditionals(strongOut, weakOut),
    };
  });
  done++;

  const judge = wantJudge ? trainJudge(rows, models[0]!, strong, rungScores[0]!, featuriser, folds, lrOptions, () => {
    done++;
    progress("judge");
  }) : undefined;

  const first = qualityCurve(rungScores[0]!, rows.map((r) => ({ strong: r.outcomes[strong]!, weak: r.outcomes[models[0]!]! })));
  const every = Math.max(1, Math.floor(first.length / 200));
  const curve = first.filter((_, i) => i % every === 0 || i === first.length - 1);
  const file: RouterFile = {
    format: ROUTER_FILE_FORMAT,
    version: ROUTER_FILE_VERSION,
    created_at: new Date().toISOString(),
    models: models.map((m) => ({ name: m, accuracy: outcome(m).reduce((s, v) => s + v, 0) / rows.length })),
    featuriser: featuriser.state,
    rungs: rungStates,
    knn: knn.state,
    calibration: {
      quality: QUALITY_GRID.slice(),
      ...(rungs > 1 ? { ladder: ladderTable(rungScores, models.map(outcome), rungStates.map((r) => r.table)) } : {}),
    },
    ...(judge ? { judge } : {}),
    training: { rows: rows.length, seed, folds: k, curve: { strong_share: curve.map((p) => p.strongShare), quality: curve.map((p) => p.quality) } },
  };
  done = total;
  progress("done");
  // Through the file format once: the router trained here scores exactly as the one loaded from disk will.
  return parseRouterFile(JSON.parse(serialiseRouterFile(file)));
}
