/**
 * A prompt → the rows the models read: its TF-IDF vector (what the kNN
 * memory compares) and that vector with the standardised hand-made features
 * appended as extra columns (what the logistic models read). `handScale`
 * weighs the hand-made columns against the unit-length TF-IDF part.
 */
import { fitStandardiser, promptFeatures, standardise, type Standardiser } from "./features.js";
import type { SparseVector } from "./sparse.js";
import { Tfidf, type TfidfOptions, type TfidfState } from "./tfidf.js";

export interface FeaturiserState {
  tfidf: TfidfState;
  standardiser: Standardiser;
  handScale: number;
}

export interface Encoded {
  /** Unit-length TF-IDF. */
  text: SparseVector;
  /** TF-IDF ⊕ scaled standardised hand features. */
  row: SparseVector;
  /** The standardised hand features alone (dense). */
  hand: SparseVector;
}

export class Featuriser {
  readonly tfidf: Tfidf;
  readonly state: FeaturiserState;

  constructor(state: FeaturiserState) {
    this.state = state;
    this.tfidf = new Tfidf(state.tfidf);
  }

  static fit(prompts: readonly string[], options: { tfidf?: TfidfOptions; handScale?: number } = {}): Featuriser {
    const tfidf = Tfidf.fit(prompts, options.tfidf);
    const standardiser = fitStandardiser(prompts.map(promptFeatures));
    return new Featuriser({ tfidf: tfidf.state, standardiser, handScale: options.handScale ?? 0.3 });
  }

  /** Columns of `hand`. */
  get handColumns(): number {
    return this.state.standardiser.mean.length;
  }

  /** Columns of `row`. */
  get columns(): number {
    return this.tfidf.size + this.state.standardiser.mean.length;
  }

  encode(prompt: string): Encoded {
    const text = this.tfidf.vector(prompt);
    const hand = standardise(promptFeatures(prompt), this.state.standardiser);
    const n = text.idx.length;
    const idx = new Int32Array(n + hand.length);
    const val = new Float64Array(n + hand.length);
    idx.set(text.idx);
    val.set(text.val);
    const offset = this.tfidf.size;
    const scale = this.state.handScale;
    for (let j = 0; j < hand.length; j++) {
      idx[n + j] = offset + j;
      val[n + j] = hand[j]! * scale;
    }
    return { text, row: { idx, val }, hand: { idx: Int32Array.from(hand, (_, j) => j), val: Float64Array.from(hand) } };
  }
}
