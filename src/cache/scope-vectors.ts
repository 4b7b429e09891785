/**
 * The vectors of one scope, oldest first, with a cap; and the brute-force
 * search over them. Brute force is the right tool at this size: a scope
 * holds at most a few thousand vectors (capped), a scan of 1 000 × 1 536
 * floats takes about a millisecond, and it is exact where an approximate
 * index (HNSW) would add a dependency and miss neighbours.
 */
import type { SemanticMatch } from "./semantic-index.js";
import { dot } from "./vectors.js";

export interface VectorEntry {
  vector: Float32Array;
  expiresAt: number;
}

export class ScopeVectors {
  /** Insertion order = age: re-adding a key moves it to the end. */
  readonly entries = new Map<string, VectorEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces; returns the keys dropped to stay within `cap` (oldest first). */
  put(key: string, entry: VectorEntry, cap: number): string[] {
    this.entries.delete(key);
    this.entries.set(key, entry);
    const dropped: string[] = [];
    for (const [oldest] of this.entries) {
      if (this.entries.size <= cap) break;
      this.entries.delete(oldest);
      dropped.push(oldest);
    }
    return dropped;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /**
   * The best live match at or above `threshold`. Expired entries found on the
   * way are dropped and returned in `expired`, so the caller's bookkeeping
   * can follow. Vectors of another dimension (the embedding model changed)
   * are skipped, not compared.
   */
  best(vector: Float32Array, threshold: number, now: number, expired: string[] = []): SemanticMatch | undefined {
    let found: SemanticMatch | undefined;
    for (const [key, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(key);
        expired.push(key);
        continue;
      }
      if (e.vector.length !== vector.length) continue;
      const score = dot(e.vector, vector);
      if (score >= threshold && (found === undefined || score > found.score)) found = { key, score };
    }
    return found;
  }
}
