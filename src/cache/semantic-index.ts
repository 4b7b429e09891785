/** Where semantic-cache vectors live: each maps an embedded prompt to an exact-cache key. */
export interface SemanticMatch {
  /** The exact-cache key of the answer. */
  key: string;
  /** Cosine similarity, -1…1. */
  score: number;
}

export interface SemanticIndex {
  readonly kind: "memory" | "redis" | "postgres";
  /** The closest entry of this scope scoring at least `threshold`; undefined when none (or when the index is unreachable). */
  search(scope: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined>;
  /** Never throws: a failed write is reported through the index's onError and forgotten. */
  add(scope: string, vector: Float32Array, key: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}
