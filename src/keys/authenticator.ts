/**
 * Turns the key a request presents into a Principal (DESIGN.md §2 "Clients
 * authenticate"): the config admin key → admin; a virtual key (`lsk_…`) →
 * its record and team, from the cache or else one store read; anything else
 * → 401. With no admin key configured the gateway runs open (dev mode):
 * callers without a virtual key are admins, but a virtual key presented is
 * still checked, so its limits apply.
 *
 * authenticate() answers synchronously whenever it needs no I/O (the admin
 * key, a cached key, a malformed key), so the hot path costs one sha256 and
 * a Map lookup, with no promise. last_used_at is written in batches, off the
 * request path.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { COMMON_ERRORS, GatewayError } from "../core/errors.js";
import type { KeyStore } from "../store/keys/types.js";
import { KeyCache, type ResolvedKey } from "./key-cache.js";
import { ADMIN_PRINCIPAL, OPEN_PRINCIPAL, type Principal } from "./principal.js";
import { looksLikeVirtualKey } from "./secrets.js";

export interface AuthenticatorSettings {
  /** The config's admin_key; unset = dev mode (open). */
  adminKey?: string;
  /** Where virtual keys live; without one only the admin key is accepted. */
  store?: KeyStore;
  /** Default: a memory-only KeyCache with its default TTLs. */
  cache?: KeyCache;
  /** How often last_used_at is written; default 10 s. */
  touchIntervalMs?: number;
  /** A batch of last_used_at updates failed (they are dropped: it is a hint, not an audit trail). */
  onTouchError?: (err: unknown) => void;
  now?: () => number;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

function invalidKey(message: string): GatewayError {
  return new GatewayError("invalid_api_key", message, { clientCode: "invalid_api_key" });
}

export class Authenticator {
  readonly cache: KeyCache;
  readonly #adminDigest: Buffer | undefined;
  readonly #store: KeyStore | undefined;
  readonly #now: () => number;
  readonly #touchIntervalMs: number;
  readonly #onTouchError: ((err: unknown) => void) | undefined;
  /** key id → last use (ms), flushed in one batch per interval. */
  readonly #touches = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(settings: AuthenticatorSettings = {}) {
    this.#adminDigest = settings.adminKey ? sha256(settings.adminKey) : undefined;
    this.#store = settings.store;
    this.cache = settings.cache ?? new KeyCache({ ...(settings.now ? { now: settings.now } : {}) });
    this.#now = settings.now ?? Date.now;
    this.#touchIntervalMs = settings.touchIntervalMs ?? 10_000;
    this.#onTouchError = settings.onTouchError;
  }

  /** Whether the gateway runs without an admin key (everyone is admin unless they present a virtual key). */
  get open(): boolean {
    return this.#adminDigest === undefined;
  }

  /**
   * The caller behind a presented key (from `Authorization: Bearer` or `x-api-key`).
   * Synchronous when no I/O is needed; throws / rejects with invalid_api_key (401).
   */
  authenticate(presented: string | undefined): Principal | Promise<Principal> {
    if (!presented) {
      if (this.open) return OPEN_PRINCIPAL;
      throw COMMON_ERRORS.missingApiKey();
    }
    const virtual = this.#store !== undefined && looksLikeVirtualKey(presented);
    // Open mode and not a virtual key: nothing to compare it with, so no hashing on every request.
    if (this.open && !virtual) return OPEN_PRINCIPAL;
    const digest = sha256(presented);
    // Constant time: both sides are 32-byte digests.
    if (this.#adminDigest !== undefined && timingSafeEqual(digest, this.#adminDigest)) return ADMIN_PRINCIPAL;
    if (!virtual) throw invalidKey("Incorrect API key provided.");
    const hash = digest.toString("hex");
    const cached = this.cache.get(hash);
    if (cached !== undefined) return this.#accept(cached, digest);
    return this.cache.load(hash, () => this.#lookup(hash)).then((found) => this.#accept(found, digest));
  }

  /** Writes pending last_used_at updates now (also called on an interval, and by close()). */
  flush(): Promise<void> {
    if (this.#touches.size === 0 || this.#store === undefined) return this.#flushing;
    const batch = [...this.#touches].map(([id, ms]) => ({ id, at: new Date(ms).toISOString() }));
    this.#touches.clear();
    const store = this.#store;
    // Chained: two flushes never race each other on the same rows.
    this.#flushing = this.#flushing.then(() => store.touchKeys(batch)).catch((err: unknown) => this.#onTouchError?.(err));
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.cache.close();
  }

  async #lookup(hash: string): Promise<ResolvedKey | null> {
    let key;
    try {
      key = await this.#store!.findKeyByHash(hash);
      if (key === undefined) return null;
      const team = key.team_id === null ? undefined : await this.#store!.getTeam(key.team_id);
      return team === undefined ? { key } : { key, team };
    } catch (err) {
      throw new GatewayError("upstream_unavailable", "The key store is unavailable; try again shortly.", {
        status: 503, type: "api_error", clientCode: "key_store_unavailable", cause: err,
      });
    }
  }

  #accept(found: ResolvedKey | null, digest: Buffer): Principal {
    // The record came from a lookup by this digest; comparing again in constant
    // time means a wrong row (cache or store bug) can never authenticate.
    const stored = found === null ? undefined : Buffer.from(found.key.key_hash, "hex");
    if (found === null || stored?.length !== digest.length || !timingSafeEqual(digest, stored)) throw invalidKey("Incorrect API key provided.");
    const { key, team } = found;
    if (key.revoked_at !== null) throw invalidKey(`This API key (${key.key_prefix}…) has been revoked.`);
    const now = this.#now();
    if (key.expires_at !== null && Date.parse(key.expires_at) <= now) throw invalidKey(`This API key (${key.key_prefix}…) expired at ${key.expires_at}.`);
    this.#touch(key.id, now);
    return team === undefined ? { kind: "key", key } : { kind: "key", key, team };
  }

  #touch(id: string, now: number): void {
    this.#touches.set(id, now);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.flush(), this.#touchIntervalMs);
      this.#timer.unref(); // last_used_at never keeps the process alive
    }
  }
}
