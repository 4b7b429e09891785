/**
 * Virtual key secrets: `lsk_<8-char prefix>_<40-char secret>`, both parts
 * base62. Only the sha256 of the whole key is stored; the prefix is kept in
 * clear so people can tell their keys apart in lists and logs.
 *
 * Why a plain sha256 and not a slow password hash: the secret carries ~238
 * random bits, so brute force is hopeless whatever the hash's speed, and a
 * fast hash keeps an uncached lookup one indexed read.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const KEY_SCHEME = "lsk_";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const PREFIX_LENGTH = 8;
export const SECRET_LENGTH = 40;
const SHAPE = new RegExp(`^${KEY_SCHEME}[0-9A-Za-z]{${PREFIX_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH}}$`);

/** Uniform base62: bytes >= 248 (4 × 62) are rejected so no character is more likely than another. */
function base62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface GeneratedKey {
  /** The full key: given to the caller once, never stored. */
  key: string;
  /** `lsk_XXXXXXXX`, stored and listed. */
  prefix: string;
  /** sha256 hex of the full key, stored. */
  hash: string;
}

export function generateKey(): GeneratedKey {
  const prefix = `${KEY_SCHEME}${base62(PREFIX_LENGTH)}`;
  const key = `${prefix}_${base62(SECRET_LENGTH)}`;
  return { key, prefix, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Whether a presented string is shaped like a virtual key (cheap, before any hashing or lookup). */
export function looksLikeVirtualKey(presented: string): boolean {
  return presented.startsWith(KEY_SCHEME) && SHAPE.test(presented);
}

/** The visible prefix of a well-formed key. */
export function keyPrefixOf(key: string): string {
  return key.slice(0, KEY_SCHEME.length + PREFIX_LENGTH);
}

/**
 * Constant-time check of a presented key against a stored hash. Both sides
 * are 32-byte digests, so the comparison time depends on neither the key's
 * length nor where it first differs.
 */
export function verifyKey(presented: string, storedHashHex: string): boolean {
  const stored = Buffer.from(storedHashHex, "hex");
  const got = createHash("sha256").update(presented, "utf8").digest();
  return stored.length === got.length && timingSafeEqual(stored, got);
}

/** Constant-time equality of two secrets of any length (hash both, compare digests). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a, "utf8").digest(), createHash("sha256").update(b, "utf8").digest());
}
