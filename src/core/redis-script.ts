/**
 * Lua scripts run by digest (EVALSHA), loaded again when the server forgot
 * them (NOSCRIPT: a restart or SCRIPT FLUSH), and a deadline for any Redis
 * call. Shared by every Redis-backed component: breakers, limits, budgets
 * and the response cache. ioredis's defineCommand does the same but adds
 * untyped methods to the client.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Rejects after `ms` even if the client would wait longer (a borrowed client
 * may have no command timeout), so a hung Redis cannot hold requests or pile
 * up pending work.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  /** Text replies, within `timeoutMs`. */
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[], timeoutMs: number): Promise<unknown> {
    return withDeadline(this.#call(() => redis.evalsha(this.#sha, keys.length, ...keys, ...args), () => redis.eval(this.#source, keys.length, ...keys, ...args)), timeoutMs);
  }

  /** Binary arguments and replies (vectors): callBuffer keeps replies as Buffers instead of decoding them as UTF-8. */
  runBuffer(redis: Redis, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    return this.#call(
      () => redis.callBuffer("evalsha", [this.#sha, keys.length, ...keys, ...args]),
      () => redis.callBuffer("eval", [this.#source, keys.length, ...keys, ...args]),
    );
  }

  async #call(bySha: () => Promise<unknown>, bySource: () => Promise<unknown>): Promise<unknown> {
    try {
      return await bySha();
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return await bySource();
    }
  }
}
