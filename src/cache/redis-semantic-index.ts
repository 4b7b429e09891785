/**
 * The shared semantic index in Redis (no vector-search module needed).
 *
 * Per scope, four keys under one hash tag (so a cluster keeps them on one
 * slot): a hash key → [expiresAt float64][vector float32…], a sorted set
 * key → insertion number (the age order, for the per-scope cap and for
 * incremental sync), the insertion counter, and an epoch that changes when
 * the scope is created anew (all four expired), telling mirrors to refetch.
 * Each instance searches its own mirror (vector-mirror.ts) after one round
 * trip that brings only the entries added since its last look.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { CacheErrorHook } from "./exact-store.js";
import { LuaScript, withDeadline } from "../core/redis-script.js";
import { redisHandle, type RedisHandle } from "./redis-client.js";
import type { SemanticIndex, SemanticMatch } from "./semantic-index.js";
import type { VectorEntry } from "./scope-vectors.js";
import { VectorMirror } from "./vector-mirror.js";
import { bytesToVector, unit, vectorToBytes } from "./vectors.js";

export interface RedisSemanticIndexOptions {
  redis: Redis | string;
  /** Key prefix (the config's `redis.prefix`); scopes live under `<prefix>cache:s:`. */
  prefix: string;
  /** Cap per scope in Redis (oldest dropped first), and per scope in each instance's mirror. */
  maxEntriesPerScope: number;
  /** Bound on this instance's mirror (whole scopes, least recently searched, are dropped). */
  maxEntries: number;
  timeoutMs?: number;
  now?: () => number;
  onError?: CacheErrorHook;
}

const HEADER = 8; // float64 expiresAt before the vector

const ADD = new LuaScript(`
local n = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[4], ARGV[5], 'NX')
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], n, ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
local ttl = tonumber(ARGV[3])
for i = 1, 4 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return n
`);

// Returns {} when the scope does not exist, else {epoch, {key, seq, …}, {value, …}}
// with the entries added after ARGV[2] (all of them when ARGV[1] is not the epoch).
const SYNC = new LuaScript(`
local epoch = redis.call('GET', KEYS[4])
if not epoch then return {} end
local since = ARGV[2]
if epoch ~= ARGV[1] then since = '0' end
local found = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
if #found == 0 then return {epoch, {}, {}} end
local keys = {}
for i = 1, #found, 2 do keys[#keys + 1] = found[i] end
return {epoch, found, redis.call('HMGET', KEYS[1], unpack(keys))}
`);

interface Cursor {
  epoch: string;
  seq: number;
}

export class RedisSemanticIndex implements SemanticIndex {
  readonly kind = "redis";
  readonly #handle: RedisHandle;
  readonly #prefix: string;
  readonly #cap: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #onError: CacheErrorHook;
  readonly #mirror: VectorMirror<Cursor>;

  constructor(options: RedisSemanticIndexOptions) {
    this.#handle = redisHandle(options.redis);
    this.#prefix = `${options.prefix}cache:s:`;
    this.#cap = options.maxEntriesPerScope;
    this.#timeoutMs = options.timeoutMs ?? 1_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#mirror = new VectorMirror({ maxEntries: options.maxEntries, maxEntriesPerScope: options.maxEntriesPerScope });
  }

  #keys(scope: string): string[] {
    const base = `${this.#prefix}{${scope}}`;
    return [`${base}:v`, `${base}:seq`, `${base}:n`, `${base}:epoch`];
  }

  async search(scope: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined> {
    return this.#mirror.search(scope, vector, threshold, this.#now, () => this.#sync(scope), this.#onError);
  }

  async #sync(scope: string): Promise<void> {
    const known = this.#mirror.get(scope)?.cursor;
    const reply = (await withDeadline(
      SYNC.runBuffer(this.#handle.redis, this.#keys(scope), [known?.epoch ?? "", known?.seq ?? 0, this.#cap]),
      this.#timeoutMs,
    )) as [] | [Buffer, Buffer[], (Buffer | null)[]];
    if (reply.length === 0) {
      this.#mirror.drop(scope);
      return;
    }
    const [epochBuf, found, values] = reply;
    const epoch = epochBuf.toString();
    let seq = 0;
    if (known && known.epoch === epoch) seq = known.seq;
    else this.#mirror.drop(scope);
    const entries: [string, VectorEntry][] = [];
    for (let i = 0; i < found.length; i += 2) {
      seq = Math.max(seq, Number(found[i + 1]!.toString()));
      const value = values[i / 2];
      const entry = value ? decodeEntry(value) : undefined;
      if (entry) entries.push([found[i]!.toString(), entry]);
    }
    this.#mirror.absorb(scope, { epoch, seq }, entries);
  }

  async add(scope: string, vector: Float32Array, key: string, ttlMs: number): Promise<void> {
    const v = unit(vector);
    if (!v || ttlMs <= 0) return;
    const value = vectorToBytes(v, HEADER);
    value.writeDoubleLE(this.#now() + ttlMs, 0);
    try {
      await withDeadline(
        ADD.runBuffer(this.#handle.redis, this.#keys(scope), [key, value, Math.ceil(ttlMs), this.#cap, randomBytes(8).toString("hex")]),
        this.#timeoutMs,
      );
    } catch (err) {
      this.#onError(err, "semantic-add");
    }
  }

  async close(): Promise<void> {
    this.#mirror.clear();
    await this.#handle.release();
  }
}

function decodeEntry(buf: Buffer): VectorEntry | undefined {
  if (buf.length <= HEADER) return undefined;
  const expiresAt = buf.readDoubleLE(0);
  const vector = bytesToVector(buf, HEADER);
  return vector && Number.isFinite(expiresAt) ? { vector, expiresAt } : undefined;
}
