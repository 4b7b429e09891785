/**
 * The Overview's time ranges: which /admin/usage query each asks (the
 * bucket size is the query's group_by), and the series a chart draws, with
 * empty buckets filled with zeros so a quiet hour shows as a dip, not a gap.
 */

export const RANGE_IDS = ["1h", "24h", "7d", "30d"] as const;
export type RangeId = (typeof RANGE_IDS)[number];
export type Bucket = "minute" | "hour" | "day";

export interface RangeSpec {
  label: string;
  /** What a chart's caption says: "the last hour". */
  phrase: string;
  ms: number;
  bucket: Bucket;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const BUCKET_MS: Record<Bucket, number> = { minute: MINUTE, hour: HOUR, day: DAY };

export const RANGES: Record<RangeId, RangeSpec> = {
  "1h": { label: "1 h", phrase: "the last hour", ms: HOUR, bucket: "minute" },
  "24h": { label: "24 h", phrase: "the last 24 hours", ms: DAY, bucket: "hour" },
  "7d": { label: "7 d", phrase: "the last 7 days", ms: 7 * DAY, bucket: "hour" },
  "30d": { label: "30 d", phrase: "the last 30 days", ms: 30 * DAY, bucket: "day" },
};

export function isRangeId(v: string | null | undefined): v is RangeId {
  return (RANGE_IDS as readonly string[]).includes(v ?? "");
}

/** The first bucket's start: the range back from now, floored to a whole bucket (UTC). */
export function rangeStart(id: RangeId, now: number): number {
  const { ms, bucket } = RANGES[id];
  const step = BUCKET_MS[bucket];
  return Math.floor((now - ms) / step) * step + step;
}

/** The /admin/usage query string for a range. */
export function rangeQuery(id: RangeId, now: number): string {
  const since = new Date(rangeStart(id, now)).toISOString();
  return `group_by=${RANGES[id].bucket}&since=${encodeURIComponent(since)}`;
}

/** A usage row's group as the bucket's start in ms ("2026-11-01" for days, ISO times otherwise). */
export function groupTime(group: string, bucket: Bucket): number {
  return Date.parse(bucket === "day" ? `${group}T00:00:00.000Z` : group);
}

export interface UsagePoint {
  group: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  cache_hits?: number;
  cache_saved_usd?: number;
  p50_ms: number;
  p95_ms: number;
}

export interface Series {
  /** Bucket starts, in seconds (what uPlot's time axis takes). */
  t: number[];
  requestsPerMin: number[];
  errorsPerMin: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  promptTokens: number[];
  completionTokens: number[];
  cost: number[];
  saved: number[];
}

/** One value per bucket from the range's start to now; buckets without rows are 0 (latency: no value). */
export function buildSeries(rows: readonly UsagePoint[], id: RangeId, now: number): Series {
  const { bucket } = RANGES[id];
  const step = BUCKET_MS[bucket];
  const byTime = new Map<number, UsagePoint>();
  for (const r of rows) if (r.group !== null) byTime.set(groupTime(r.group, bucket), r);
  const s: Series = { t: [], requestsPerMin: [], errorsPerMin: [], p50: [], p95: [], promptTokens: [], completionTokens: [], cost: [], saved: [] };
  const perMin = step / MINUTE;
  for (let at = rangeStart(id, now); at <= now; at += step) {
    const r = byTime.get(at);
    s.t.push(at / 1000);
    s.requestsPerMin.push(r ? r.requests / perMin : 0);
    s.errorsPerMin.push(r ? r.errors / perMin : 0);
    s.p50.push(r && r.requests > 0 ? r.p50_ms : null);
    s.p95.push(r && r.requests > 0 ? r.p95_ms : null);
    s.promptTokens.push(r?.prompt_tokens ?? 0);
    s.completionTokens.push(r?.completion_tokens ?? 0);
    s.cost.push(r?.cost_usd ?? 0);
    s.saved.push(r?.cache_saved_usd ?? 0);
  }
  return s;
}

export interface Totals {
  requests: number;
  errors: number;
  tokens: number;
  cost: number;
  cacheHits: number;
  saved: number;
  /** Requests per minute over the whole range. */
  perMinute: number;
}

export function totals(rows: readonly UsagePoint[], id: RangeId): Totals {
  const t: Totals = { requests: 0, errors: 0, tokens: 0, cost: 0, cacheHits: 0, saved: 0, perMinute: 0 };
  for (const r of rows) {
    t.requests += r.requests;
    t.errors += r.errors;
    t.tokens += r.prompt_tokens + r.completion_tokens;
    t.cost += r.cost_usd;
    t.cacheHits += r.cache_hits ?? 0;
    t.saved += r.cache_saved_usd ?? 0;
  }
  t.perMinute = t.requests / (RANGES[id].ms / MINUTE);
  return t;
}
