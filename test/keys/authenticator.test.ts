import * as crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { Authenticator } from "../../src/keys/authenticator.js";
import { KeyAdmin } from "../../src/keys/key-admin.js";
import { KeyCache } from "../../src/keys/key-cache.js";
import type { Principal } from "../../src/keys/principal.js";
import { MemoryKeyStore } from "../../src/store/keys/memory-key-store.js";
import type { KeyStore } from "../../src/store/keys/types.js";

// Partial mock: the real functions, observed, so the test can see the constant-time compare is used.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

/** A store that counts reads, to prove cached authentication does none. */
function countingStore(): { store: KeyStore; reads: () => number; touches: Array<ReadonlyArray<{ id: string; at: string }>> } {
  const inner = new MemoryKeyStore();
  let reads = 0;
  const touches: Array<ReadonlyArray<{ id: string; at: string }>> = [];
  const store: KeyStore = Object.assign(Object.create(inner) as KeyStore, {
    findKeyByHash: (hash: string) => { reads += 1; return inner.findKeyByHash(hash); },
    getTeam: (id: string) => { reads += 1; return inner.getTeam(id); },
    touchKeys: (t: ReadonlyArray<{ id: string; at: string }>) => { touches.push(t); return inner.touchKeys(t); },
  });
  return { store, reads: () => reads, touches };
}

async function principal(result: Principal | Promise<Principal>): Promise<Principal> {
  return result;
}

async function rejection(fn: () => Principal | Promise<Principal>): Promise<GatewayError> {
  try {
    await fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error("expected a rejection");
}

describe("Authenticator", () => {
  const auths: Authenticator[] = [];
  afterEach(async () => {
    for (const a of auths.splice(0)) await a.close();
  });
  const make = (settings: ConstructorParameters<typeof Authenticator>[0]) => {
    const a = new Authenticator(settings);
    auths.push(a);
    return a;
  };

  it("accepts the admin key synchronously, in constant time", () => {
    const auth = make({ adminKey: "sk-admin-123" });
    vi.mocked(crypto.timingSafeEqual).mockClear();
    expect(auth.authenticate("sk-admin-123")).toEqual({ kind: "admin" });
    expect(crypto.timingSafeEqual).toHaveBeenCalled();
    expect(() => auth.authenticate("sk-admin-12")).toThrow(/Incorrect API key/);
    expect(() => auth.authenticate(undefined)).toThrow(/Missing API key/);
  });

  it("runs open without an admin key, but still checks virtual keys", async () => {
    const { store } = countingStore();
    const auth = make({ store });
    expect(auth.authenticate(undefined)).toEqual({ kind: "admin", open: true });
    expect(auth.authenticate("sk-anything")).toEqual({ kind: "admin", open: true });
    const err = await rejection(() => auth.authenticate(`lsk_AAAAAAAA_${"a".repeat(40)}`));
    expect(err.status).toBe(401);
  });

  it("resolves a virtual key once from the store, then from the cache with no store read and no promise", async () => {
    const { store, reads } = countingStore();
    const admin = new KeyAdmin({ store });
    const team = await admin.createTeam({ name: "search", rpm: 10 });
    const { key, record } = await admin.createKey({ name: "ci", team_id: team.id, role: "manager" });
    const auth = make({ adminKey: "sk-admin", store });

    const first = auth.authenticate(key);
    expect(first).toBeInstanceOf(Promise);
    expect(await principal(first)).toMatchObject({ kind: "key", key: { id: record.id, role: "manager" }, team: { id: team.id, rpm: 10 } });
    const readsAfterFirst = reads();
    vi.mocked(crypto.timingSafeEqual).mockClear();
    for (let i = 0; i < 100; i++) {
      const again = auth.authenticate(key);
      expect(again).not.toBeInstanceOf(Promise);
      expect((again as Principal & { kind: "key" }).key.id).toBe(record.id);
    }
    expect(reads()).toBe(readsAfterFirst);
    expect(crypto.timingSafeEqual).toHaveBeenCalled();
  });

  it("rejects unknown, revoked and expired keys with invalid_api_key (401)", async () => {
    const { store } = countingStore();
    let now = Date.parse("2030-01-01T00:00:00.000Z");
    const admin = new KeyAdmin({ store, now: () => now });
    const auth = make({ adminKey: "sk-admin", store, now: () => now });
    const revoked = await admin.createKey({ name: "r" });
    const expiring = await admin.createKey({ name: "e", expires_at: "2030-01-01T01:00:00.000Z" });
    await principal(auth.authenticate(revoked.key));
    await principal(auth.authenticate(expiring.key));

    // Revocation through KeyAdmin with the authenticator's cache takes effect at once.
    const withCache = new KeyAdmin({ store, cache: auth.cache, now: () => now });
    await withCache.revokeKey(revoked.record.id);
    const r = await rejection(() => auth.authenticate(revoked.key));
    expect(r.status).toBe(401);
    expect(r.toJSON().error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    expect(r.message).toMatch(/revoked/);

    now += 2 * 3_600_000;
    const e = await rejection(() => auth.authenticate(expiring.key));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/expired/);

    // Same visible prefix, different secret.
    const forged = expiring.key.slice(0, 13) + "x".repeat(40);
    expect((await rejection(() => auth.authenticate(forged))).status).toBe(401);
  });

  it("writes last_used_at in batches off the request path", async () => {
    const { store, touches } = countingStore();
    const admin = new KeyAdmin({ store });
    const a = await admin.createKey({ name: "a" });
    const b = await admin.createKey({ name: "b" });
    const auth = make({ store, adminKey: "x", touchIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      await principal(auth.authenticate(a.key));
      await principal(auth.authenticate(b.key));
    }
    expect(touches).toHaveLength(0);
    await auth.flush();
    expect(touches).toHaveLength(1);
    expect(touches[0]!.map((t) => t.id).sort()).toEqual([a.record.id, b.record.id].sort());
    expect((await store.getKey(a.record.id))!.last_used_at).not.toBeNull();
  });

  it("reports an unreachable key store as 503, without caching the failure", async () => {
    const { store } = countingStore();
    let down = true;
    const flaky: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      findKeyByHash: (hash: string) => (down ? Promise.reject(new Error("connection refused")) : store.findKeyByHash(hash)),
    });
    const created = await new KeyAdmin({ store }).createKey({ name: "k" });
    const auth = make({ store: flaky, adminKey: "x", cache: new KeyCache() });
    const err = await rejection(() => auth.authenticate(created.key));
    expect(err.status).toBe(503);
    expect(err.clientCode).toBe("key_store_unavailable");
    down = false;
    expect(await principal(auth.authenticate(created.key))).toMatchObject({ kind: "key" });
  });
});
