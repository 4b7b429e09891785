/**
 * Circuit breakers shared by every gateway instance through Redis.
 *
 * - record() runs one Lua script (window, streak and transitions together,
 *   see breaker-scripts.ts) without waiting for it; a transition is
 *   published and every instance applies it to its local view at once.
 * - allow() never waits for Redis: it reads the local view. A half-open
 *   circuit admits a request only with a probe slot this instance already
 *   claimed from Redis; without one, allow() says no and claims a slot in the
 *   background for a later request. So the first request after a cooldown
 *   goes to another target, and across all instances at most halfOpenProbes
 *   probes run at once (a slot is held for probeLeaseMs, used within half of
 *   that, and freed by the probe's outcome).
 * - When Redis fails (or before it is reachable) the breakers keep serving
 *   from a MemoryCircuitBreakers that has seen every outcome of this
 *   instance all along, still honouring circuits the view knew were open;
 *   the outage is reported through onError (once, then every 10 s at most),
 *   and when Redis answers again the view is re-read from it.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { CLAIM, type CircuitReply, PEEK, RECORD, parseEvent, parseReply } from "./breaker-scripts.js";
import {
  type BreakerTuning, type StateChangeListener,
  DEFAULT_PROBE_LEASE_MS, maxCooldownMs, notify,
} from "./breaker-policy.js";
import type { LuaScript } from "../../core/redis-script.js";
import { MemoryCircuitBreakers, closedSnapshot } from "./memory-breakers.js";
import { RedisOutage } from "../shared-state/redis-outage.js";
import type { BreakerOptions, CircuitBreakers, CircuitState, TargetHealthSnapshot } from "./types.js";

export interface RedisBreakersSettings extends BreakerTuning {
  /** A connected (or connecting) client; the caller owns it. A subscriber connection is duplicated from it. */
  redis: Redis;
  /** Prepended verbatim to every key and to the channel, e.g. `liaison:`. */
  prefix: string;
  options: BreakerOptions;
  /** Redis failed: the breakers now serve from this instance's own view. */
  onError?: (err: unknown) => void;
  /** Redis answers again after an outage. */
  onRecover?: () => void;
  /** State changes as this instance sees them (each instance reports shared transitions). */
  onChange?: StateChangeListener;
  /** Local clock, for the view's cooldowns and probe slots. */
  now?: () => number;
  /** See MemoryBreakersSettings.maxKeys. */
  maxKeys?: number;
  /** Longest a script may take before Redis counts as down. Default 1 s (nothing waits for it but bookkeeping). */
  timeoutMs?: number;
}

/** What this instance knows of a shared circuit. */
interface View {
  state: CircuitState;
  version: number;
  /** Open: local time the cooldown ends. */
  retryAt: number;
  consecutive: number;
  requests: number;
  failures: number;
  /** Local time until which a probe slot claimed in Redis may be used; 0 = none held. */
  ticket: number;
  claiming: boolean;
}

export class RedisCircuitBreakers implements CircuitBreakers {
  readonly #redis: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #options: BreakerOptions;
  readonly #now: () => number;
  readonly #onChange: StateChangeListener | undefined;
  readonly #fallback: MemoryCircuitBreakers;
  readonly #outage: RedisOutage;
  readonly #views = new Map<string, View>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #maxCooldownMs: number;
  readonly #leaseMs: number;
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #timeoutMs: number;
  readonly #instance = randomUUID();
  readonly #ready: Promise<boolean>;
  #readyResolve: (subscribed: boolean) => void = () => {};
  #probeSeq = 0;
  #subscribed = false;
  #closed = false;

  constructor(settings: RedisBreakersSettings) {
    this.#redis = settings.redis;
    this.#prefix = settings.prefix;
    this.#channel = `${settings.prefix}cb:events`;
    this.#options = settings.options;
    this.#now = settings.now ?? Date.now;
    this.#onChange = settings.onChange;
    this.#maxCooldownMs = maxCooldownMs(settings.options, settings);
    this.#leaseMs = settings.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS;
    // Long enough that an idle open circuit outlives its longest cooldown; refreshed by every script.
    this.#ttlMs = 2 * (settings.options.windowMs + this.#maxCooldownMs + this.#leaseMs);
    this.#maxKeys = settings.maxKeys ?? 10_000;
    this.#timeoutMs = settings.timeoutMs ?? 1_000;
    this.#outage = new RedisOutage({ onError: settings.onError, onRecover: settings.onRecover, now: settings.now });
    this.#fallback = new MemoryCircuitBreakers({
      options: settings.options,
      now: settings.now,
      maxKeys: settings.maxKeys,
      maxCooldownMs: settings.maxCooldownMs,
      probeLeaseMs: settings.probeLeaseMs,
      // Its transitions are news only while it is the one answering.
      onChange: (key, from, to) => { if (this.#degraded()) notify(this.#onChange, key, from, to); },
    });

    settings.redis.on("error", this.#onRedisError);
    this.#ready = new Promise((resolve) => { this.#readyResolve = resolve; });
    this.#sub = settings.redis.duplicate({ lazyConnect: true, autoResubscribe: false, enableOfflineQueue: false });
    this.#sub.on("error", this.#onRedisError);
    this.#sub.on("close", () => { this.#subscribed = false; });
    this.#sub.on("ready", () => this.#subscribe());
    this.#sub.on("message", (channel: string, text: string) => this.#onMessage(channel, text));
    this.#sub.connect().catch((err: unknown) => {
      if (!this.#closed) this.#outage.failed(err);
      this.#readyResolve(false);
    });
  }

  /** Resolves true once subscribed to transitions, false if the first connection failed (it keeps retrying). */
  ready(): Promise<boolean> {
    return this.#ready;
  }

  /** True while answering from this instance's own view because Redis is unreachable. */
  get degraded(): boolean {
    return this.#degraded();
  }

  allow(key: string): boolean {
    const view = this.#views.get(key);
    if (this.#degraded()) {
      if (view?.state === "open" && this.#now() < view.retryAt) return false;
      return this.#fallback.allow(key);
    }
    if (!view) {
      // First sight of this target here: it may already be open elsewhere.
      this.#track(PEEK, key, this.#view(key), [this.#options.windowMs]);
      return true;
    }
    if (view.state === "closed") return true;
    const now = this.#now();
    if (view.state === "open" && now < view.retryAt) return false;
    if (view.ticket > now) {
      view.ticket = 0;
      return true;
    }
    if (!view.claiming) this.#claim(key, view);
    return false;
  }

  record(key: string, ok: boolean): void {
    this.#fallback.record(key, ok);
    const o = this.#options;
    this.#track(RECORD, key, this.#views.get(key) ?? this.#view(key), [
      ok ? 1 : 0, o.consecutiveFailures, o.errorRate, o.minRequests, o.windowMs,
      o.cooldownMs, this.#maxCooldownMs, this.#ttlMs, this.#channel, key,
    ]);
  }

  snapshot(key: string): TargetHealthSnapshot {
    const view = this.#views.get(key);
    const now = this.#now();
    const openHere = view?.state === "open" && now < view.retryAt;
    if (this.#degraded() && !openHere) return this.#fallback.snapshot(key);
    if (!view) {
      // Not used here yet; it may be open elsewhere since before this instance started.
      this.#track(PEEK, key, this.#view(key), [this.#options.windowMs]);
      return closedSnapshot(key);
    }
    return {
      key,
      // The shared state turns half-open when someone claims a probe; the cooldown is over already.
      state: view.state === "open" && !openHere ? "half_open" : view.state,
      errorRate: view.requests === 0 ? 0 : view.failures / view.requests,
      requests: view.requests,
      consecutiveFailures: view.consecutive,
      retryAt: openHere ? view.retryAt : null,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let outcomes already sent land, but do not wait long for a Redis that is not answering.
    await Promise.race([Promise.allSettled([...this.#pending]), sleep(1_000, undefined, { ref: false })]);
    this.#closed = true;
    this.#subscribed = false;
    this.#readyResolve(false);
    this.#redis.off("error", this.#onRedisError);
    this.#sub.disconnect();
    await this.#fallback.close();
    this.#views.clear();
  }

  /** Connection errors (either connection) are outage news; commands are not sent while disconnected. */
  readonly #onRedisError = (err: unknown): void => {
    if (!this.#closed) this.#outage.failed(err);
  };

  #degraded(): boolean {
    return this.#outage.down || !this.#subscribed || this.#redis.status !== "ready";
  }

  #view(key: string): View {
    if (this.#views.size >= this.#maxKeys) {
      for (const [k, v] of this.#views) if (v.state === "closed" && !v.claiming) this.#views.delete(k);
    }
    const view: View = { state: "closed", version: 0, retryAt: 0, consecutive: 0, requests: 0, failures: 0, ticket: 0, claiming: false };
    this.#views.set(key, view);
    return view;
  }

  #claim(key: string, view: View): void {
    view.claiming = true;
    const member = `${this.#instance}:${++this.#probeSeq}`;
    const o = this.#options;
    this.#track(CLAIM, key, view, [o.halfOpenProbes, this.#leaseMs, member, this.#ttlMs, this.#channel, key, o.windowMs], (reply) => {
      view.claiming = false;
      // Used within half the lease, so the slot is still ours in Redis while the probe runs.
      if (reply?.granted) view.ticket = this.#now() + this.#leaseMs / 2;
    });
  }

  /** Runs a script in the background, applies its reply; never throws, never rejects. */
  #track(script: LuaScript, key: string, view: View, args: (string | number)[], then?: (reply: CircuitReply | undefined) => void): void {
    const p = this.#call(script, key, args).then((reply) => {
      if (reply) this.#apply(key, view, reply);
      then?.(reply);
    }).catch((err: unknown) => {
      // Only a bug lands here; reported rather than left to crash the process as an unhandled rejection.
      this.#outage.failed(err);
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async #call(script: LuaScript, key: string, args: (string | number)[]): Promise<CircuitReply | undefined> {
    if (this.#closed) return undefined;
    const status = this.#redis.status;
    if (status !== "ready") {
      // Not sent at all: with an offline queue, a command would wait for the reconnection.
      // Still connecting at start-up is not an outage (yet).
      if (status !== "wait" && status !== "connecting" && status !== "connect") {
        this.#outage.failed(new Error(`Redis connection is ${status}; circuit breakers use this instance's view`));
      }
      return undefined;
    }
    if (!this.#outage.shouldTry()) return undefined;
    try {
      const base = `${this.#prefix}cb:${key}`;
      const reply = parseReply(await script.run(this.#redis, [base, `${base}:probes`], args, this.#timeoutMs));
      if (this.#outage.succeeded()) this.#resync();
      return reply;
    } catch (err) {
      if (!this.#closed) this.#outage.failed(err);
      return undefined;
    }
  }

  /** Replies and messages can cross; the version keeps the newest state. */
  #apply(key: string, view: View, r: CircuitReply): void {
    if (this.#views.get(key) !== view) return;
    if (r.version < view.version) {
      // An older reply about the same state still has fresher counts (a record on a circuit first seen missing).
      if (r.state === view.state) Object.assign(view, { consecutive: r.consecutive, requests: r.requests, failures: r.failures });
      return;
    }
    const from = view.state;
    view.state = r.state;
    view.version = r.version;
    view.retryAt = r.state === "open" ? this.#now() + r.retryInMs : 0;
    view.consecutive = r.consecutive;
    view.requests = r.requests;
    view.failures = r.failures;
    if (from !== r.state) {
      // A transition wiped the probe slots in Redis.
      view.ticket = 0;
      notify(this.#onChange, key, from, r.state);
    }
  }

  #onMessage(channel: string, text: string): void {
    if (channel !== this.#channel) return;
    const event = parseEvent(text);
    if (!event) return;
    this.#apply(event.key, this.#views.get(event.key) ?? this.#view(event.key), event.reply);
  }

  #subscribe(): void {
    this.#sub.subscribe(this.#channel).then(() => {
      if (this.#closed) return;
      this.#subscribed = true;
      this.#readyResolve(true);
      this.#outage.succeeded();
      // Transitions may have been published while we were not listening.
      this.#resync();
    }, (err: unknown) => {
      if (!this.#closed) this.#outage.failed(err);
    });
  }

  #resync(): void {
    for (const [key, view] of this.#views) this.#track(PEEK, key, view, [this.#options.windowMs]);
  }
}
