/**
 * The cache as the engine sees it: one lookup per request, which either
 * returns an answer or hands back a `store` function for the answer the
 * upstream is about to give. Exact first (a hash lookup), then by meaning
 * (an embedding call plus a vector search) when the semantic cache is on.
 * No failure here ever fails a request: every broken part is a miss,
 * reported through onError.
 */
import type { ChatRequest } from "../core/types.js";
import { isComplete, type CachedAnswer } from "./answer.js";
import type { CacheMode } from "./cache-mode.js";
import { exactKey } from "./exact-key.js";
import type { CacheErrorHook, ExactStore } from "./exact-store.js";
import { semanticParts, type SemanticParts } from "./semantic-parts.js";
import type { SemanticIndex } from "./semantic-index.js";

export type EmbedFn = (text: string, signal: AbortSignal) => Promise<Float32Array>;

export interface SemanticOptions {
  index: SemanticIndex;
  embed: EmbedFn;
  /** Minimum cosine similarity for a semantic hit. */
  threshold: number;
  /** An embedding slower than this is abandoned (a miss); default 5000 ms. */
  embedTimeoutMs?: number;
}

/** Per-model settings (config `cache.models`). */
export interface ModelCachePolicy {
  enabled?: boolean;
  ttlMs?: number;
  semantic?: boolean;
}

export interface ResponseCacheOptions {
  exact: ExactStore;
  semantic?: SemanticOptions;
  defaultTtlMs: number;
  policyFor?: (model: string) => ModelCachePolicy | undefined;
  onError?: CacheErrorHook;
  now?: () => number;
}

export interface LookupOptions {
  /** The route name after alias resolution. */
  model: string;
  /** From cacheNamespace(). */
  namespace: string;
  mode: CacheMode;
  /** This request's TTL (x-liaison-cache-ttl); else the model's, else the default. */
  ttlMs?: number;
  /** Serve only answers at most this old (Cache-Control max-age). */
  maxAgeMs?: number;
  /** The client's signal: a lookup it no longer waits for stops embedding. */
  signal?: AbortSignal;
}

export type CacheStatus = "hit" | "semantic-hit" | "miss" | "bypass";

export interface CacheLookup {
  /**
   * hit / semantic-hit: serve `answer`. miss: call upstream, then `store`
   * (refresh reports miss too: the cache was not read and will be written).
   * bypass: the cache is not involved (client asked, or disabled for the model).
   */
  status: CacheStatus;
  answer?: CachedAnswer;
  /** Similarity of a semantic hit. */
  score?: number;
  /**
   * Writes the answer (exact entry, then its vector). Resolves when done and
   * never rejects, so the engine may call it without awaiting. Answers with
   * an unfinished choice are not stored.
   */
  store?: (answer: CachedAnswer) => Promise<void>;
}

export interface CacheBackends {
  exact: ExactStore["kind"];
  semantic?: SemanticIndex["kind"];
}

export class ResponseCache {
  readonly #exact: ExactStore;
  readonly #semantic: SemanticOptions | undefined;
  readonly #defaultTtlMs: number;
  readonly #policyFor: (model: string) => ModelCachePolicy | undefined;
  readonly #onError: CacheErrorHook;
  readonly #now: () => number;
  readonly #writes = new Set<Promise<void>>();

  constructor(options: ResponseCacheOptions) {
    this.#exact = options.exact;
    this.#semantic = options.semantic;
    this.#defaultTtlMs = options.defaultTtlMs;
    this.#policyFor = options.policyFor ?? (() => undefined);
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /** Which backends are in use (for the start-up log). */
  get backends(): CacheBackends {
    return { exact: this.#exact.kind, ...(this.#semantic ? { semantic: this.#semantic.index.kind } : {}) };
  }

  async lookup(request: ChatRequest, o: LookupOptions): Promise<CacheLookup> {
    const policy = this.#policyFor(o.model) ?? {};
    if (o.mode === "bypass" || policy.enabled === false) return { status: "bypass" };
    const key = exactKey(request, o);
    const ttlMs = o.ttlMs ?? policy.ttlMs ?? this.#defaultTtlMs;
    const semantic = this.#semantic && policy.semantic !== false ? semanticParts(request, o) : undefined;
    let vector: Float32Array | undefined;
    let embedded = false;
    if (o.mode === "normal") {
      const answer = await this.#read(key, o.maxAgeMs);
      if (answer) return { status: "hit", answer };
      if (semantic && this.#semantic) {
        vector = await this.#embed(semantic.text, o.signal);
        embedded = true;
        const match = vector && (await this.#semantic.index.search(semantic.scope, vector, this.#semantic.threshold));
        const found = match && match.key !== key ? await this.#read(match.key, o.maxAgeMs) : undefined;
        if (match && found) {
          // The paraphrase gets its own exact entry: asked again, it is a plain hit, with no embedding call.
          this.#track(this.#exact.set(key, found, ttlMs).then(() => undefined, (err: unknown) => this.#onError(err, "exact-set")));
          return { status: "semantic-hit", answer: found, score: match.score };
        }
      }
    }
    // An embedding that failed during the lookup is not retried for the write: no second call to a failing model.
    const vectorFor = embedded ? (vector ? async () => vector : undefined) : semantic ? () => this.#embed(semantic.text, undefined) : undefined;
    return { status: "miss", store: (answer) => this.#track(this.#write(key, ttlMs, answer, semantic, vectorFor)) };
  }

  /** Waits for pending writes, then closes the stores. */
  async close(): Promise<void> {
    await Promise.all(this.#writes);
    await Promise.all([this.#exact.close(), this.#semantic?.index.close()]);
  }

  async #read(key: string, maxAgeMs: number | undefined): Promise<CachedAnswer | undefined> {
    const answer = await this.#exact.get(key);
    if (!answer) return undefined;
    if (maxAgeMs !== undefined && this.#now() - answer.createdAt > maxAgeMs) return undefined;
    return answer;
  }

  async #embed(text: string, signal: AbortSignal | undefined): Promise<Float32Array | undefined> {
    const s = this.#semantic!;
    const timeout = AbortSignal.timeout(s.embedTimeoutMs ?? 5_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await s.embed(text, combined);
    } catch (err) {
      this.#onError(err, "embed");
      return undefined;
    }
  }

  async #write(key: string, ttlMs: number, answer: CachedAnswer, semantic: SemanticParts | undefined, vectorFor: (() => Promise<Float32Array | undefined>) | undefined): Promise<void> {
    try {
      if (!isComplete(answer)) return;
      const stored = await this.#exact.set(key, answer, ttlMs);
      // The vector points at the exact entry: without one there is nothing to point at.
      if (!stored || !semantic || !vectorFor || !this.#semantic) return;
      // A refresh embeds only now; the client is answered by then, so no client signal applies.
      const vector = await vectorFor();
      if (vector) await this.#semantic.index.add(semantic.scope, vector, key, ttlMs);
    } catch (err) {
      // Stores report their own failures and resolve; this catches the unexpected (a bug), still never the request's problem.
      this.#onError(err, "exact-set");
    }
  }

  #track(write: Promise<void>): Promise<void> {
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
    return write;
  }
}
