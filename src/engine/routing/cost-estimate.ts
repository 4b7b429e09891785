/**
 * Expected cost of one request of a class on a target, from the config
 * prices (USD per million tokens). Used by `lowest-cost` and, until a
 * target has reported real costs, by `adaptive`.
 */
import type { RequestClass, TargetRef } from "./types.js";

/**
 * Representative token counts per size bucket. Output grows far less than
 * input with prompt size, so for large prompts the input price dominates
 * the estimate — a target with cheap input and dear output wins long
 * prompts, and the reverse wins short ones.
 */
export const TYPICAL_TOKENS: Record<RequestClass["size"], { input: number; output: number }> = {
  small: { input: 500, output: 250 },
  medium: { input: 4_000, output: 500 },
  large: { input: 16_000, output: 1_000 },
};

/** USD, or undefined when the target has no price. */
export function estimateCost(target: TargetRef, cls: RequestClass): number | undefined {
  if (!target.price) return undefined;
  const t = TYPICAL_TOKENS[cls.size];
  return (t.input * target.price.input + t.output * target.price.output) / 1_000_000;
}
