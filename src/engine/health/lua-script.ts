/**
 * A Lua script run by digest (EVALSHA), loaded on first use or after the
 * server forgot it (NOSCRIPT: a restart or SCRIPT FLUSH). ioredis's
 * defineCommand does the same but adds untyped methods to the client.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  /**
   * Rejects after `timeoutMs` even if the client would wait longer (a
   * caller's client may have no command timeout), so that a hung Redis
   * cannot hold requests or pile up pending work.
   */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[], timeoutMs: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#run(redis, keys, args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return await redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
