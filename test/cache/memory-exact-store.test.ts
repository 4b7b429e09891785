/** The in-process exact store: byte bound, LRU order, per-entry limit, TTL. */
import { describe, expect, it } from "vitest";
import { encodeAnswer } from "../../src/cache/answer.js";
import { MemoryExactStore } from "../../src/cache/memory-exact-store.js";
import { answer, fakeClock } from "./helpers.js";

const sizeOf = (key: string, text: string) => Buffer.byteLength(encodeAnswer(answer(text))) + Buffer.byteLength(key);

describe("MemoryExactStore", () => {
  it("returns what was stored, as a private copy", async () => {
    const store = new MemoryExactStore({ maxBytes: 1e6, maxEntryBytes: 1e5 });
    expect(await store.set("k", answer("hello"), 60_000)).toBe(true);
    const first = (await store.get("k"))!;
    expect(first).toEqual(answer("hello"));
    first.response.choices[0]!.message.content = "mutated";
    expect((await store.get("k"))!.response.choices[0]!.message.content).toBe("hello");
    expect(await store.get("other")).toBeUndefined();
  });

  it("stays within its byte bound, evicting the least recently used first", async () => {
    const one = sizeOf("k0", "x".repeat(100));
    const store = new MemoryExactStore({ maxBytes: one * 3, maxEntryBytes: one });
    for (const k of ["k0", "k1", "k2"]) await store.set(k, answer("x".repeat(100)), 60_000);
    expect(store.bytes).toBe(one * 3);
    await store.get("k0"); // k1 is now the least recently used
    await store.set("k3", answer("x".repeat(100)), 60_000);
    expect(store.bytes).toBeLessThanOrEqual(one * 3);
    expect(await store.get("k1")).toBeUndefined();
    for (const k of ["k0", "k2", "k3"]) expect(await store.get(k)).toBeDefined();
  });

  it("evicts as many old entries as a big new one needs, and accounts replaced entries once", async () => {
    const small = sizeOf("k0", "s");
    const store = new MemoryExactStore({ maxBytes: small * 4 + 200, maxEntryBytes: 1e6 });
    for (const k of ["k0", "k1", "k2", "k3"]) await store.set(k, answer("s"), 60_000);
    await store.set("k3", answer("s"), 60_000); // replacing must not count twice
    expect(store.size).toBe(4);
    expect(store.bytes).toBe(small * 4);
    await store.set("big", answer("b".repeat(small * 2)), 60_000);
    expect(await store.get("big")).toBeDefined();
    expect(await store.get("k0")).toBeUndefined();
    expect(await store.get("k1")).toBeUndefined();
    expect(store.bytes).toBeLessThanOrEqual(small * 4 + 200);
  });

  it("does not cache an entry larger than max_entry_bytes", async () => {
    const store = new MemoryExactStore({ maxBytes: 1e6, maxEntryBytes: 1_000 });
    expect(await store.set("k", answer("y".repeat(2_000)), 60_000)).toBe(false);
    expect(await store.get("k")).toBeUndefined();
    expect(store.bytes).toBe(0);
  });

  it("expires entries after their TTL (fake clock)", async () => {
    const clock = fakeClock();
    const store = new MemoryExactStore({ maxBytes: 1e6, maxEntryBytes: 1e5, now: clock.now });
    await store.set("short", answer("a"), 1_000);
    await store.set("long", answer("b"), 10_000);
    clock.advance(999);
    expect(await store.get("short")).toBeDefined();
    clock.advance(1);
    expect(await store.get("short")).toBeUndefined();
    expect(await store.get("long")).toBeDefined();
    expect(store.size).toBe(1); // the expired entry's bytes were released
    clock.advance(9_000);
    expect(await store.get("long")).toBeUndefined();
    expect(store.bytes).toBe(0);
  });
});
