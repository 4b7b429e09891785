/**
 * Key lookups by hash, cached in memory so authentication adds no database
 * round trip on the hot path.
 *
 * Staleness is bounded three ways:
 * - a mutation through this instance invalidates its entry at once;
 * - with Redis configured, the invalidation is published and every other
 *   instance drops the entry within milliseconds;
 * - whatever is missed (Redis down, a publish lost, several instances on one
 *   PostgreSQL without Redis) expires after `ttlMs`. After the subscriber
 *   reconnects the whole cache is dropped, since messages may have been lost.
 *
 * Unknown hashes are cached too (`negativeTtlMs`), so a client retrying a bad
 * key cannot turn every request into a database read; the cache is bounded
 * (`maxEntries`, oldest dropped first) so random keys cannot grow it.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { ApiKeyRecord, TeamRecord } from "../store/keys/types.js";
import { newRedisClient } from "../core/redis-options.js";

export interface ResolvedKey {
  key: ApiKeyRecord;
  team?: TeamRecord;
}

export interface KeyCacheSettings {
  /** How long a found key is trusted without asking the store; default 15 s. */
  ttlMs?: number;
  /** How long "no such key" is trusted; default 5 s. */
  negativeTtlMs?: number;
  /** Default 10 000 entries. */
  maxEntries?: number;
  /** A client (the caller owns it; a subscriber is duplicated from it) or a redis:// URL (owned by the cache). */
  redis?: Redis | string;
  /** Prepended to the channel name; default `liaison:`. */
  prefix?: string;
  /** Redis failed (reported once per outage); the cache keeps working on its TTL. */
  onError?: (err: unknown) => void;
  onRecover?: () => void;
  now?: () => number;
}

interface Entry {
  value: ResolvedKey | null;
  expires: number;
}

type Invalidation = { kind: "key"; hash: string } | { kind: "team"; id: string } | { kind: "all" };


export class KeyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<ResolvedKey | null>>();
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #settings: KeyCacheSettings;
  readonly #origin = randomUUID();
  readonly #channel: string;
  readonly #pub: Redis | undefined;
  readonly #ownsPub: boolean = false;
  readonly #sub: Redis | undefined;
  #subscribed: Promise<boolean> = Promise.resolve(false);
  #everSubscribed = false;
  #down = false;
  /** Bumped by every invalidation: a load that started before one must not store what it read. */
  #generation = 0;

  constructor(settings: KeyCacheSettings = {}) {
    this.#settings = settings;
    this.#ttlMs = settings.ttlMs ?? 15_000;
    this.#negativeTtlMs = settings.negativeTtlMs ?? 5_000;
    this.#maxEntries = settings.maxEntries ?? 10_000;
    this.#now = settings.now ?? Date.now;
    this.#channel = `${settings.prefix ?? "liaison:"}keys:invalidate`;
    if (settings.redis === undefined) return;

    this.#ownsPub = typeof settings.redis === "string";
    this.#pub = typeof settings.redis === "string" ? newRedisClient(settings.redis) : settings.redis;
    // Errors are reported through failed commands and the subscriber; this only keeps ioredis quiet.
    if (this.#ownsPub) this.#pub.on("error", () => {});
    const sub = this.#pub.duplicate({ lazyConnect: true, enableOfflineQueue: false, autoResubscribe: false });
    this.#sub = sub;
    sub.on("error", (err: unknown) => this.#failed(err));
    sub.on("message", (_channel: string, text: string) => this.#onMessage(text));
    this.#subscribed = new Promise<boolean>((resolve) => {
      sub.on("ready", () => {
        sub.subscribe(this.#channel).then(() => {
          // Invalidations published while we were away are lost: start clean.
          if (this.#everSubscribed) this.#dropAll();
          this.#everSubscribed = true;
          this.#recovered();
          resolve(true);
        }, (err: unknown) => { this.#failed(err); resolve(false); });
      });
      sub.connect().catch((err: unknown) => { this.#failed(err); resolve(false); });
    });
    if (this.#ownsPub) this.#pub.connect().catch((err: unknown) => this.#failed(err));
  }

  /** Resolves true once subscribed to invalidations (at once, false, without Redis). Never rejects. */
  ready(): Promise<boolean> {
    return this.#subscribed;
  }

  /** The cached lookup: a ResolvedKey, null for a known-unknown hash, undefined when not cached (or expired). */
  get(hash: string): ResolvedKey | null | undefined {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  set(hash: string, value: ResolvedKey | null): void {
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(hash)) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.delete(hash); // re-insert at the end: insertion order is eviction order
    this.#entries.set(hash, { value, expires: this.#now() + (value === null ? this.#negativeTtlMs : this.#ttlMs) });
  }

  /** get(), else one load shared by every concurrent caller for the same hash, stored unless invalidated meanwhile. */
  load(hash: string, loader: () => Promise<ResolvedKey | null>): Promise<ResolvedKey | null> {
    const cached = this.get(hash);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.#inflight.get(hash);
    if (pending === undefined) {
      const generation = this.#generation;
      pending = loader().then(
        (value) => {
          this.#inflight.delete(hash);
          if (generation === this.#generation) this.set(hash, value);
          return value;
        },
        (err: unknown) => {
          this.#inflight.delete(hash);
          throw err;
        },
      );
      this.#inflight.set(hash, pending);
    }
    return pending;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A key changed (updated, revoked): drop it here and on every instance. */
  invalidateKey(hash: string): void {
    this.#apply({ kind: "key", hash });
    this.#publish({ kind: "key", hash });
  }

  /** A team changed: every cached key of it carries the old team. */
  invalidateTeam(id: string): void {
    this.#apply({ kind: "team", id });
    this.#publish({ kind: "team", id });
  }

  clear(): void {
    this.#apply({ kind: "all" });
    this.#publish({ kind: "all" });
  }

  async close(): Promise<void> {
    this.#sub?.disconnect();
    if (this.#pub && this.#ownsPub) {
      if (this.#pub.status === "ready") await this.#pub.quit().catch(() => this.#pub?.disconnect());
      else this.#pub.disconnect();
    }
  }

  #apply(inv: Invalidation): void {
    this.#generation += 1;
    if (inv.kind === "all") return this.#dropAll();
    if (inv.kind === "key") {
      this.#entries.delete(inv.hash);
      return;
    }
    for (const [hash, entry] of this.#entries) {
      if (entry.value?.key.team_id === inv.id) this.#entries.delete(hash);
    }
  }

  #dropAll(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  #publish(inv: Invalidation): void {
    if (!this.#pub) return;
    this.#pub.publish(this.#channel, JSON.stringify({ ...inv, origin: this.#origin })).then(
      () => this.#recovered(),
      (err: unknown) => this.#failed(err),
    );
  }

  #onMessage(text: string): void {
    let msg: Invalidation & { origin?: string };
    try {
      msg = JSON.parse(text) as Invalidation & { origin?: string };
    } catch {
      return; // not ours: someone else publishing on the channel
    }
    if (msg.origin === this.#origin) return;
    if (msg.kind === "key" && typeof msg.hash === "string") this.#apply({ kind: "key", hash: msg.hash });
    else if (msg.kind === "team" && typeof msg.id === "string") this.#apply({ kind: "team", id: msg.id });
    else if (msg.kind === "all") this.#apply({ kind: "all" });
  }

  #failed(err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    try {
      this.#settings.onError?.(err);
    } catch {
      // Reporting must not break the caller that noticed.
    }
  }

  #recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    try {
      this.#settings.onRecover?.();
    } catch {
      // As above.
    }
  }
}
