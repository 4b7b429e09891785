/**
 * Binary logistic regression over sparse rows, L2-regularised (the
 * intercept is not), fitted with L-BFGS:
 *
 *   loss(w, b) = Σ_i c_i · [ln(1 + e^{z_i}) − y_i z_i] + ‖w‖² / (2C),   z_i = w·x_i + b
 *
 * y_i may be fractional (a soft label), c_i is the row's weight.
 */
import { minimize, type LbfgsOptions } from "./lbfgs.js";
import { dotDense, type SparseVector } from "./sparse.js";

export interface LogisticState {
  /** One weight per column. */
  w: number[];
  b: number;
}

export interface LogisticOptions extends LbfgsOptions {
  /** Inverse regularisation strength (scikit-learn's C). */
  C?: number;
  /** Where L-BFGS starts (a fit on overlapping rows): the same optimum in fewer iterations. */
  init?: LogisticState;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** ln(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export class Logistic {
  readonly #w: Float64Array;
  readonly #b: number;

  constructor(state: LogisticState) {
    this.#w = Float64Array.from(state.w);
    this.#b = state.b;
  }

  get state(): LogisticState {
    return { w: Array.from(this.#w), b: this.#b };
  }

  /** The linear score z = w·x + b. */
  margin(x: SparseVector): number {
    return dotDense(x, this.#w) + this.#b;
  }

  probability(x: SparseVector): number {
    return sigmoid(this.margin(x));
  }

  static fit(rows: readonly SparseVector[], y: ArrayLike<number>, columns: number, options: LogisticOptions = {}, weights?: ArrayLike<number>): Logistic {
    const C = options.C ?? 1;
    const n = rows.length;
    // x = [w (columns), b]
    const objective = (x: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      const b = x[columns]!;
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        const c = weights ? weights[i]! : 1;
        if (c === 0) continue;
        const z = dotDense(r, x) + b;
        loss += c * (softplus(z) - y[i]! * z);
        const e = c * (sigmoid(z) - y[i]!);
        for (let k = 0; k < r.idx.length; k++) grad[r.idx[k]!]! += e * r.val[k]!;
        grad[columns]! += e;
      }
      for (let j = 0; j < columns; j++) {
        loss += (x[j]! * x[j]!) / (2 * C);
        grad[j]! += x[j]! / C;
      }
      return loss;
    };
    // The intercept starts at the prior log-odds: fewer iterations, same optimum.
    let pos = 0;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      const c = weights ? weights[i]! : 1;
      pos += c * y[i]!;
      tot += c;
    }
    const x0 = new Float64Array(columns + 1);
    const p = Math.min(1 - 1e-6, Math.max(1e-6, tot ? pos / tot : 0.5));
    x0[columns] = Math.log(p / (1 - p));
    if (options.init && options.init.w.length === columns) {
      x0.set(options.init.w);
      x0[columns] = options.init.b;
    }
    const { x } = minimize(objective, x0, options);
    return new Logistic({ w: Array.from(x.subarray(0, columns)), b: x[columns]! });
  }
}
