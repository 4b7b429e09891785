/**
 * The default exact store: an LRU bounded by bytes, in this process.
 *
 * Hand-written rather than lru-cache: a Map already keeps insertion order,
 * which is all an LRU needs (re-insert on read, evict from the front), and
 * it is forty lines against a new dependency. Entries are kept as their
 * encoded text: the size bound is then the real cost of an entry, and every
 * hit parses a private copy a caller cannot corrupt for the next one.
 */
import { decodeAnswer, encodeAnswer, type CachedAnswer } from "./answer.js";
import type { ExactStore } from "./exact-store.js";

export interface MemoryExactStoreOptions {
  /** Bound on the sum of entry sizes (UTF-8 bytes of key and entry). */
  maxBytes: number;
  /** Larger entries are not cached at all. */
  maxEntryBytes: number;
  /** Clock in epoch ms (tests inject one). */
  now?: () => number;
}

interface Entry {
  text: string;
  bytes: number;
  expiresAt: number;
}

export class MemoryExactStore implements ExactStore {
  readonly kind = "memory";
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: MemoryExactStoreOptions) {
    this.#maxBytes = options.maxBytes;
    this.#maxEntryBytes = Math.min(options.maxEntryBytes, options.maxBytes);
    this.#now = options.now ?? Date.now;
  }

  /** Bytes held now (for tests and a metric). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry); // most recently used now sits at the end
    return decodeAnswer(entry.text);
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    const text = encodeAnswer(answer);
    const bytes = Buffer.byteLength(text) + Buffer.byteLength(key);
    if (bytes > this.#maxEntryBytes || ttlMs <= 0) return false;
    this.#remove(key);
    this.#entries.set(key, { text, bytes, expiresAt: this.#now() + ttlMs });
    this.#bytes += bytes;
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest);
    }
    return true;
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
