/**
 * A trained router at run time: scores a prompt (one score per rung, 0…1,
 * higher = more in need of the strongest model), says which thresholds
 * keep a quality, judges a weak model's answer for the cascade, and learns
 * from feedback (the kNN memory takes the example; the rest of the file is
 * fixed until the next training).
 */
import { blendScore } from "./blend.js";
import { gridIndex } from "./calibration.js";
import { Featuriser } from "./featuriser.js";
import { KnnMemory } from "./knn.js";
import { Logistic } from "./logistic.js";
import type { RouterFile } from "./router-file.js";
import type { SparseVector } from "./sparse.js";
import { escalationScore, judgeInputs, judgeRow } from "./train-judge.js";
import { pairGain } from "./train-pair.js";

export interface PromptScore {
  /** Per rung, 0…1: rung r = the need for the strongest model over models[r]. */
  scores: number[];
  /** The prompt as the kNN memory keeps it: what feedback on this request teaches. */
  query: SparseVector;
}

type Pair = { a: Logistic; b: Logistic };

export class RouterModel {
  readonly models: readonly { name: string; accuracy: number }[];
  readonly #file: RouterFile;
  readonly #featuriser: Featuriser;
  readonly #pairs: Pair[];
  readonly #hands: Pair[];
  readonly #knn: KnnMemory;
  readonly #judge: Pair | undefined;

  constructor(file: RouterFile) {
    this.#file = file;
    this.models = file.models;
    this.#featuriser = new Featuriser(file.featuriser);
    this.#pairs = file.rungs.map((r) => ({ a: new Logistic(r.pair.a), b: new Logistic(r.pair.b) }));
    this.#hands = file.rungs.map((r) => ({ a: new Logistic(r.hand.a), b: new Logistic(r.hand.b) }));
    this.#knn = new KnnMemory(file.knn, file.rungs.length);
    this.#judge = file.judge ? { a: new Logistic(file.judge.pair.a), b: new Logistic(file.judge.pair.b) } : undefined;
  }

  get rungs(): number {
    return this.#pairs.length;
  }

  get hasJudge(): boolean {
    return this.#judge !== undefined;
  }

  /** Examples in the kNN memory (trained and learnt online). */
  get memory(): number {
    return this.#knn.size;
  }

  score(prompt: string): PromptScore {
    const { text, row, hand } = this.#featuriser.encode(prompt);
    const query = this.#knn.query(text);
    const competence = this.#knn.competence(query, new Array<number>(this.#pairs.length));
    const scores = this.#pairs.map((pair, r) => blendScore(this.#file.rungs[r]!.blend, [pairGain(pair, row), competence[r]!, pairGain(this.#hands[r]!, hand)]));
    return { scores, query };
  }

  /**
   * Per rung, the threshold that keeps `quality`: the ladder's joint ones
   * when every rung is in use, else each rung's own (exact for a pair).
   */
  thresholds(quality: number, allRungs = true): number[] {
    const g = gridIndex(quality, this.#file.calibration.quality);
    const ladder = this.#file.calibration.ladder;
    if (allRungs && ladder) return ladder.thresholds[g]!;
    return this.#file.rungs.map((r) => r.table.thresholds[g]!);
  }

  /** The strong share the training prompts took at `quality` (first rung's table, or the ladder's). */
  expectedStrongShare(quality: number): number {
    const g = gridIndex(quality, this.#file.calibration.quality);
    const ladder = this.#file.calibration.ladder;
    return ladder ? ladder.shares[g]![ladder.shares[g]!.length - 1]! : this.#file.rungs[0]!.table.strongShare[g]!;
  }

  /**
   * What feedback on one answer says, per rung, about the strongest model's
   * edge: `served` is the index of the model that answered (models order),
   * `outcome` its score 0…1. The unobserved model's outcome is taken at its
   * training-data rate given the observed one; a rung the answer says
   * nothing about gets NaN (skipped).
   */
  labelsFor(served: number, outcome: number): number[] {
    const strong = this.models.length - 1;
    return this.#file.rungs.map((r, i) => {
      const c = r.conditionals;
      if (served === strong) return outcome - (outcome * c.weakIfStrongRight + (1 - outcome) * c.weakIfStrongWrong);
      if (served === i) return outcome * c.strongIfWeakRight + (1 - outcome) * c.strongIfWeakWrong - outcome;
      return Number.NaN;
    });
  }

  /** Adds an example to the kNN memory: later prompts near it are scored with its labels. */
  learn(query: SparseVector, labels: number[], weight = 1): void {
    this.#knn.add(query, labels, weight);
  }

  /** The cascade judge's escalation score for an answer (0…1, higher = ask the stronger model), or undefined without a judge. */
  judge(prompt: string, answer: string, finishReason: string | null | undefined, precall: number): number | undefined {
    const j = this.#judge;
    if (!j) return undefined;
    const row = judgeRow(judgeInputs(prompt, answer, finishReason, precall), this.#file.judge!.standardiser);
    return escalationScore(pairGain(j, row));
  }

  judgeThreshold(quality: number): number | undefined {
    const t = this.#file.judge?.table;
    return t ? t.thresholds[gridIndex(quality, this.#file.calibration.quality)] : undefined;
  }

  /** The file with what was learnt online included. */
  toFile(): RouterFile {
    return { ...this.#file, knn: this.#knn.state };
  }
}
