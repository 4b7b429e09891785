import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPrefixOf, looksLikeVirtualKey, secretsEqual, verifyKey } from "../../src/keys/secrets.js";

describe("key secrets", () => {
  it("generates lsk_<8>_<40> base62 keys whose hash is the sha256 of the whole key", () => {
    const g = generateKey();
    expect(g.key).toMatch(/^lsk_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    expect(g.prefix).toBe(g.key.slice(0, 12));
    expect(keyPrefixOf(g.key)).toBe(g.prefix);
    expect(g.hash).toBe(createHash("sha256").update(g.key).digest("hex"));
    expect(hashKey(g.key)).toBe(g.hash);
    expect(looksLikeVirtualKey(g.key)).toBe(true);
  });

  it("never repeats and uses the whole alphabet about evenly", () => {
    const keys = Array.from({ length: 2000 }, () => generateKey().key);
    expect(new Set(keys).size).toBe(keys.length);
    const counts = new Map<string, number>();
    for (const k of keys) for (const c of k.slice(13)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 40) / 62; // ~1290 per character
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.2);
  });

  it("recognises only well-formed virtual keys", () => {
    for (const bad of ["", "sk-abc", "lsk_short_x", `lsk_AAAAAAAA_${"a".repeat(39)}`, `lsk_AAAAAAAA_${"a".repeat(39)}!`, `LSK_AAAAAAAA_${"a".repeat(40)}`]) {
      expect(looksLikeVirtualKey(bad)).toBe(false);
    }
  });

  it("verifies against the stored hash, rejecting near misses and bad hashes", () => {
    const g = generateKey();
    expect(verifyKey(g.key, g.hash)).toBe(true);
    expect(verifyKey(g.key.slice(0, -1) + (g.key.endsWith("a") ? "b" : "a"), g.hash)).toBe(false);
    expect(verifyKey(g.key, "not-hex")).toBe(false);
    expect(secretsEqual("admin-secret", "admin-secret")).toBe(true);
    expect(secretsEqual("admin-secret", "admin-secre")).toBe(false);
  });
});
