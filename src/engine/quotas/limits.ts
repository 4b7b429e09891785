/**
 * Limits per subject: which models a key or team may call,
 * and how many requests, tokens and parallel requests it may use. Subjects
 * are plain strings (`key:<id>`, `team:<id>`) so this module needs nothing
 * from the key store.
 *
 * One QuotaGate interface, two implementations: in memory (one process) and
 * Redis (every instance shares the counts, each admission is one Lua script).
 */

export interface SubjectLimits {
  /** Requests per minute (sliding window). */
  rpm?: number;
  /** Tokens per minute: an estimate is reserved at admission and settled to the actual usage. */
  tpm?: number;
  /** Requests in flight at once (a stream counts until it ends). */
  maxParallel?: number;
  /** Model name globs the subject may call; see modelAllowed. */
  models?: string[];
}

export interface QuotaSubject {
  /** e.g. `key:k_123`, `team:t_9`. */
  id: string;
  limits: SubjectLimits;
}

export type LimitKind = "rpm" | "tpm" | "parallel";

/** OpenAI's response header names, in the order OpenAI sends them. */
export const RATE_LIMIT_HEADER_NAMES = [
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
] as const;

export type RateLimitHeaderName = (typeof RATE_LIMIT_HEADER_NAMES)[number];

/**
 * The `-requests` trio is present when some subject has an rpm limit and
 * describes the tightest one (fewest requests remaining); the `-tokens` trio
 * likewise for tpm. A request with no rpm/tpm limit at all gets none.
 */
export type RateLimitHeaders = Partial<Record<RateLimitHeaderName, string>>;

export interface Admitted {
  ok: true;
  /** The x-ratelimit-* headers as of this admission (this request counted), for the 200 answer. */
  readonly headers: RateLimitHeaders;
  /**
   * Settles the token reservation to `actualTokens` and frees the parallel
   * slot. Call it once the request is over (a stream: when it ends), on
   * success and failure alike; calls after the first do nothing. Never
   * throws, never waits: a Redis write happens in the background.
   */
  release(actualTokens: number): void;
}

export interface Refused {
  ok: false;
  /** The subject whose limit refused, or null when limits could not be checked (`unavailable`). */
  subject: string | null;
  /**
   * `unavailable`: Redis could not be reached and the policy is `fail: closed`
   * (answer 503, not 429: the client did nothing wrong).
   */
  limit: LimitKind | "unavailable";
  /** The limit's value (requests, tokens, parallel requests); 0 for `unavailable`. */
  limitValue: number;
  /** What this request asked for: 1 request, its estimated tokens, 1 slot. */
  requested: number;
  /**
   * Whole seconds until the request could fit (at least 1). A request that
   * can never fit (estimated tokens above the tpm limit) gets 60 and
   * `requested > limitValue`, so the error can say "request too large".
   */
  retryAfterSeconds: number;
  readonly headers: RateLimitHeaders;
}

export type Admission = Admitted | Refused;

export interface QuotaGate {
  /**
   * Reserves 1 request, `estimatedTokens` tokens and one parallel slot on
   * every subject, all or nothing: when one subject is over a limit nothing
   * is reserved on any of them. Never rejects (Redis failures follow the
   * configured policy).
   */
  admit(subjects: readonly QuotaSubject[], estimatedTokens: number): Promise<Admission>;
  close(): Promise<void>;
}

/** What a Redis-backed component does when Redis cannot be reached. */
export type RedisFailurePolicy = "open" | "closed";

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    const body = glob.split("*").map((part) => part.split("?").map(escapeRegExp).join(".")).join(".*");
    re = new RegExp(`^${body}$`, "s");
    if (compiled.size > 10_000) compiled.clear(); // globs come from config and keys: bounded in practice, capped anyway
    compiled.set(glob, re);
  }
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether `model` (the name the client sent: an alias such as `smart` or a
 * `provider/model`) matches one of the subject's globs.
 *
 * * No list, or an empty one, allows every model (a key without a model
 *   restriction); to allow none, revoke the key instead.
 * * `*` matches any run of characters, `/` included (`anthropic/*`,
 *   `gpt-4*`); `?` matches one character; everything else is literal.
 * * Matching is case-sensitive and whole-name, like routing: `gpt-4*` does
 *   not allow `openai/gpt-4o` — list `openai/gpt-4*` for that.
 * * Fallbacks the operator configured are not checked again: the key asked
 *   for the model, the route decides how it is served.
 */
export function modelAllowed(limits: SubjectLimits, model: string): boolean {
  const globs = limits.models;
  if (!globs || globs.length === 0) return true;
  return globs.some((g) => g === model || globToRegExp(g).test(model));
}

/** A positive finite limit, or undefined: 0, negative and missing all mean "no limit". */
export function limitOf(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The first entry per id: a subject listed twice (a key that is also its own team) is counted once. */
export function distinctById<T extends { id: string }>(subjects: readonly T[]): readonly T[] {
  if (subjects.length < 2 || new Set(subjects.map((s) => s.id)).size === subjects.length) return subjects;
  const seen = new Set<string>();
  return subjects.filter((s) => !seen.has(s.id) && Boolean(seen.add(s.id)));
}

export function wholeTokens(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? Math.ceil(tokens) : 0;
}
