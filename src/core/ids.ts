import { randomBytes } from "node:crypto";

// A pool of random bytes refilled in bulk: one crypto call per 4096 ids keeps
// id generation off the profile of the hot path.
let pool = Buffer.alloc(0);
let offset = 0;

function take(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(4096 * n);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}

/** 24 hex chars of randomness with a readable prefix, e.g. `req_3f9a…`. */
export function newId(prefix: string): string {
  return `${prefix}_${take(12).toString("hex")}`;
}
