/**
 * Which of a route's targets stands for which model of a router file. A
 * target matches a model by name (its upstream model, `price_model` or
 * `provider/model`, compared without case or a leading `vendor/`). With a
 * two-model file, targets left over are matched by price: the dearest
 * stands for the strong model, the cheapest for the weak one — so a router
 * trained on GPT-4 against Mixtral routes gpt-4o against gpt-4o-mini.
 * Targets matching no model are fallbacks only, after the others.
 */
import type { TargetRef } from "./types.js";

export interface TargetPlan {
  /** Per file model (weakest first): its targets, cheapest first. */
  byModel: TargetRef[][];
  /** The weak side of the ladder: file models with targets, cheapest target first. */
  rungs: { rung: number; targets: TargetRef[] }[];
  /** The strongest file model's targets; never empty. */
  strong: TargetRef[];
  /** Every target, strongest model first (then by price, dearest first), unmatched last: the fallback order. */
  qualityOrder: TargetRef[];
  /** Target key → file model index. */
  modelOf: Map<string, number>;
  /** Every rung of the file has a target (the ladder's joint thresholds apply). */
  allRungs: boolean;
}

const bare = (name: string) => name.trim().toLowerCase().replace(/^.*\//, "");

export function planTargets(models: readonly string[], targets: readonly TargetRef[], priceOf: (t: TargetRef) => number | undefined): TargetPlan {
  const index = new Map<string, number>();
  models.forEach((m, i) => {
    index.set(m.toLowerCase(), i);
    index.set(bare(m), i);
  });
  const modelOf = new Map<string, number>();
  const unmatched: TargetRef[] = [];
  for (const t of targets) {
    const names = [t.key, t.model, t.priceModel].filter((n): n is string => n !== undefined);
    const hit = names.map((n) => index.get(n.toLowerCase()) ?? index.get(bare(n))).find((i) => i !== undefined);
    if (hit === undefined) unmatched.push(t);
    else modelOf.set(t.key, hit);
  }
  const strongIndex = models.length - 1;
  const has = (i: number) => [...modelOf.values()].includes(i);
  if (models.length === 2 && unmatched.length > 0) {
    const priced = unmatched.filter((t) => priceOf(t) !== undefined).sort((a, b) => priceOf(a)! - priceOf(b)!);
    if (!has(strongIndex) && priced.length) modelOf.set(priced.pop()!.key, strongIndex);
    if (!has(0) && priced.length) modelOf.set(priced.shift()!.key, 0);
  }
  const cheapestFirst = (a: TargetRef, b: TargetRef) => (priceOf(a) ?? Number.POSITIVE_INFINITY) - (priceOf(b) ?? Number.POSITIVE_INFINITY);
  const byModel = models.map((_, i) => targets.filter((t) => modelOf.get(t.key) === i).sort(cheapestFirst));
  const strong = byModel[strongIndex]!;
  if (!strong.length) {
    throw new Error(`no target stands for the router's strongest model '${models[strongIndex]}': name a target after it, or give the targets prices (price, price_model or the catalogue) so the dearest stands for it`);
  }
  const rungs = byModel.slice(0, -1).map((ts, rung) => ({ rung, targets: ts })).filter((r) => r.targets.length > 0)
    .sort((a, b) => cheapestFirst(a.targets[0]!, b.targets[0]!));
  if (!rungs.length) {
    throw new Error(`no target stands for a weaker model of the router (${models.slice(0, -1).join(", ")}): name a target after one, or give the targets prices`);
  }
  const rest = targets.filter((t) => !modelOf.has(t.key)).sort((a, b) => -cheapestFirst(a, b));
  const qualityOrder = [...byModel.slice().reverse().flatMap((ts) => ts), ...rest];
  return { byModel, rungs, strong, qualityOrder, modelOf, allRungs: rungs.length === models.length - 1 };
}
