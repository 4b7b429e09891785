/**
 * A local copy of a shared index's scopes, kept up to date incrementally.
 *
 * Fetching a whole scope from Redis or PostgreSQL on every lookup would move
 * megabytes per request once a scope fills up (one system prompt with a
 * thousand cached questions is one scope). Instead each scope remembers a
 * cursor (the last insertion it has seen) and each search asks only for
 * what was added since: usually nothing, one small round trip. Entries the
 * shared index evicted may linger here until this copy evicts them itself;
 * a match on one finds no exact entry behind it and is a plain miss.
 */
import type { CacheErrorHook } from "./exact-store.js";
import type { SemanticMatch } from "./semantic-index.js";
import { unit } from "./vectors.js";
import { ScopeVectors, type VectorEntry } from "./scope-vectors.js";

export interface MirroredScope<C> {
  cursor: C;
  vectors: ScopeVectors;
}

export class VectorMirror<C> {
  readonly #scopes = new Map<string, MirroredScope<C>>();
  readonly #maxEntries: number;
  readonly #maxPerScope: number;
  #total = 0;

  constructor(options: { maxEntries: number; maxEntriesPerScope: number }) {
    this.#maxEntries = options.maxEntries;
    this.#maxPerScope = Math.min(options.maxEntriesPerScope, options.maxEntries);
  }

  get size(): number {
    return this.#total;
  }

  /** The scope's copy, marked most recently used; undefined when it was never fetched (or was evicted). */
  get(scope: string): MirroredScope<C> | undefined {
    const s = this.#scopes.get(scope);
    if (s) {
      this.#scopes.delete(scope);
      this.#scopes.set(scope, s);
    }
    return s;
  }

  /** Forgets a scope (the shared side was reset: its copy cannot be trusted). */
  drop(scope: string): void {
    const s = this.#scopes.get(scope);
    if (!s) return;
    this.#total -= s.vectors.size;
    this.#scopes.delete(scope);
  }

  /** Adds what the shared index returned since the scope's cursor and moves the cursor. */
  absorb(scope: string, cursor: C, entries: Iterable<[string, VectorEntry]>): void {
    let s = this.get(scope);
    if (!s) this.#scopes.set(scope, (s = { cursor, vectors: new ScopeVectors() }));
    const before = s.vectors.size;
    for (const [key, entry] of entries) s.vectors.put(key, entry, this.#maxPerScope);
    s.cursor = cursor;
    this.#total += s.vectors.size - before;
    // Whole least-recently-searched scopes go: a partly dropped scope would
    // keep a cursor past entries it no longer holds.
    for (const [oldest, o] of this.#scopes) {
      if (this.#total <= this.#maxEntries || oldest === scope) break;
      this.#total -= o.vectors.size;
      this.#scopes.delete(oldest);
    }
  }

  best(scope: string, query: Float32Array, threshold: number, now: number): SemanticMatch | undefined {
    const s = this.#scopes.get(scope);
    if (!s) return undefined;
    const before = s.vectors.size;
    const found = s.vectors.best(query, threshold, now);
    this.#total -= before - s.vectors.size;
    return found;
  }

  /**
   * A shared index's search: bring the scope up to date (`sync`, one round
   * trip), then scan it here. Any failure is reported and is no match.
   */
  async search(scope: string, vector: Float32Array, threshold: number, now: () => number,
    sync: () => Promise<void>, onError: CacheErrorHook): Promise<SemanticMatch | undefined> {
    const query = unit(vector);
    if (!query) return undefined;
    try {
      await sync();
    } catch (err) {
      onError(err, "semantic-search");
      return undefined;
    }
    return this.best(scope, query, threshold, now());
  }

  clear(): void {
    this.#scopes.clear();
    this.#total = 0;
  }
}
