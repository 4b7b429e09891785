/**
 * The blend: a ridge regression of the observed strong-minus-weak outcome
 * on the base models' out-of-fold predictions (the logistic pair's expected
 * gain, the kNN competence):
 *
 *   gain ≈ β₀ + Σ β_j · x_j,     score = clamp((1 + gain) / 2, 0, 1)
 *
 * so 0.5 means "no better with the strong model", 1 "certainly needs it".
 * Fitted on out-of-fold predictions, it learns how far to trust each base
 * model instead of averaging them blindly.
 */
export interface BlendState {
  intercept: number;
  weights: number[];
}

export function blendScore(b: BlendState, x: ArrayLike<number>): number {
  let gain = b.intercept;
  for (let j = 0; j < b.weights.length; j++) gain += b.weights[j]! * x[j]!;
  return Math.min(1, Math.max(0, (1 + gain) / 2));
}

/** Least squares with a small ridge penalty (not on the intercept); solved by Gaussian elimination. */
export function fitBlend(x: readonly ArrayLike<number>[], y: ArrayLike<number>, ridge = 1e-3): BlendState {
  const k = x[0]?.length ?? 0;
  const d = k + 1;
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const b = new Array<number>(d).fill(0);
  for (let i = 0; i < x.length; i++) {
    const row = [1, ...Array.from(x[i]!)];
    for (let p = 0; p < d; p++) {
      b[p]! += row[p]! * y[i]!;
      for (let q = 0; q < d; q++) A[p]![q]! += row[p]! * row[q]!;
    }
  }
  for (let p = 1; p < d; p++) A[p]![p]! += ridge * x.length;
  const beta = solve(A, b);
  return { intercept: beta[0]!, weights: beta.slice(1) };
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    const pivot = A[c]![c]!;
    if (Math.abs(pivot) < 1e-12) continue;
    for (let r = c + 1; r < n; r++) {
      const f = A[r]![c]! / pivot;
      for (let q = c; q < n; q++) A[r]![q]! -= f * A[c]![q]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let q = r + 1; q < n; q++) s -= A[r]![q]! * x[q]!;
    x[r] = Math.abs(A[r]![r]!) < 1e-12 ? 0 : s / A[r]![r]!;
  }
  return x;
}
