/**
 * How every property runs: a fixed seed, so CI sees the same cases every
 * time. On failure fast-check's message prints the seed, the path of the
 * shrunk counterexample and the counterexample itself; PROPERTY_SEED and
 * PROPERTY_RUNS override seed and run count to explore further, e.g.
 * `PROPERTY_SEED=7 PROPERTY_RUNS=2000 npx vitest run test/properties`.
 */
import fc from "fast-check";

export const SEED = Number(process.env.PROPERTY_SEED ?? 20_250_601);
export const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

export function check<Ts>(property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: NUM_RUNS, seed: SEED });
}

/** The error `run` throws; fails when it throws none. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the mapper to refuse the request");
}
