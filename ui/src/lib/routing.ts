/**
 * The Routing page's pure parts: its ranges, how a model's quality setting
 * and its route-score distribution read in words (the chart's accessible
 * name), and which decisions fell back to another target. Unit-tested in
 * test/browser/ui-lib.test.ts.
 */
// With the extension: the root tsconfig checks this file too (its unit tests import it), under node16 resolution.
import { RANGES, type RangeId } from "./ranges.js";
import { formatInt, formatPct } from "./format.js";

export const ROUTING_RANGES = ["1h", "24h", "7d"] as const satisfies readonly RangeId[];
export type RoutingRange = (typeof ROUTING_RANGES)[number];

export function isRoutingRange(v: string | null | undefined): v is RoutingRange {
  return (ROUTING_RANGES as readonly string[]).includes(v ?? "");
}

/** GET /admin/routing for a range: `since` as a span back from now, which the API reads as such. */
export function routingPath(range: RoutingRange): string {
  return `/admin/routing?since=${range}`;
}

export interface ScoreBucket {
  bucket_low: number;
  bucket_high: number;
  count: number;
}

/** "0.3–0.4": a bucket's bounds, one decimal each. */
export function bucketLabel(b: Pick<ScoreBucket, "bucket_low" | "bucket_high">): string {
  return `${b.bucket_low.toFixed(1)}–${b.bucket_high.toFixed(1)}`;
}

/** The distribution in words, for the chart's accessible name: the total, then each bucket that has calls. */
export function scoreSummary(model: string, buckets: readonly ScoreBucket[], range: RoutingRange): string {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const head = `Route scores of ${model} over ${RANGES[range].phrase}`;
  if (total === 0) return `${head}: no scored calls.`;
  const parts = buckets.filter((b) => b.count > 0).map((b) => `${formatInt(b.count)} from ${bucketLabel(b)}`);
  return `${head}: ${formatInt(total)} scored call${total === 1 ? "" : "s"}; ${parts.join(", ")}.`;
}

/** What the quality setting means for this strategy. */
export function qualityText(strategy: string, quality: number | null): string {
  if (quality === null) return strategy === "cascade" ? "no router: the next target answers when an answer is cut off, empty or refused" : "—";
  return `${formatPct(quality, 0)} of the strongest target's quality, over all traffic`;
}

/** Whether a call was answered by another target than the router chose (a fallback after a failure, or a cascade's escalation). */
export function fellBack(d: { route_target: string | null; served: string | null }): boolean {
  return d.route_target !== null && d.served !== null && d.route_target !== d.served;
}
