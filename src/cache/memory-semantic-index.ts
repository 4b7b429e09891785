/**
 * The in-process semantic index (the default): scopes of vectors in memory,
 * bounded in total and per scope, the oldest entry evicted first.
 */
import type { SemanticIndex, SemanticMatch } from "./semantic-index.js";
import { ScopeVectors } from "./scope-vectors.js";
import { unit } from "./vectors.js";

export interface MemorySemanticIndexOptions {
  maxEntries: number;
  maxEntriesPerScope: number;
  now?: () => number;
}

export class MemorySemanticIndex implements SemanticIndex {
  readonly kind = "memory";
  readonly #scopes = new Map<string, ScopeVectors>();
  // Every entry across scopes in insertion order (a Map keeps it), so the
  // globally oldest is found in O(1) when the total bound is hit.
  readonly #order = new Map<string, { scope: string; key: string }>();
  readonly #maxEntries: number;
  readonly #maxPerScope: number;
  readonly #now: () => number;

  constructor(options: MemorySemanticIndexOptions) {
    this.#maxEntries = options.maxEntries;
    this.#maxPerScope = Math.min(options.maxEntriesPerScope, options.maxEntries);
    this.#now = options.now ?? Date.now;
  }

  /** Entries held (for tests and a metric). */
  get size(): number {
    return this.#order.size;
  }

  async search(scope: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined> {
    const vectors = this.#scopes.get(scope);
    const query = unit(vector);
    if (!vectors || !query) return undefined;
    const expired: string[] = [];
    const found = vectors.best(query, threshold, this.#now(), expired);
    for (const key of expired) this.#order.delete(id(scope, key));
    if (vectors.size === 0) this.#scopes.delete(scope);
    return found;
  }

  async add(scope: string, vector: Float32Array, key: string, ttlMs: number): Promise<void> {
    const v = unit(vector);
    if (!v || ttlMs <= 0) return;
    let vectors = this.#scopes.get(scope);
    if (!vectors) this.#scopes.set(scope, (vectors = new ScopeVectors()));
    const dropped = vectors.put(key, { vector: v, expiresAt: this.#now() + ttlMs }, this.#maxPerScope);
    for (const k of dropped) this.#order.delete(id(scope, k));
    this.#order.delete(id(scope, key));
    this.#order.set(id(scope, key), { scope, key });
    for (const [oldestId, oldest] of this.#order) {
      if (this.#order.size <= this.#maxEntries) break;
      this.#order.delete(oldestId);
      const s = this.#scopes.get(oldest.scope);
      s?.delete(oldest.key);
      if (s?.size === 0) this.#scopes.delete(oldest.scope);
    }
  }

  async close(): Promise<void> {
    this.#scopes.clear();
    this.#order.clear();
  }
}

const id = (scope: string, key: string) => `${scope}\u0000${key}`;
