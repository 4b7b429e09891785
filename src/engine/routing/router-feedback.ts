/**
 * Feedback reaching the running routers. A request's prompt is remembered
 * (in its kNN form, for an hour, at most `maxPending` requests) by the
 * instance that routed it; feedback names the request, so
 *
 *   POST /v1/feedback → "feedback" {route, request_id, served, score}
 *     → the instance that remembers the request turns it into an example
 *   → "example" {route, idx, val, labels} → every instance adds it to its kNN memory.
 *
 * With Redis both are published on `${prefix}router:feedback`, so every
 * instance learns whichever instance routed the request and whichever
 * received the feedback; without Redis (or while it is unreachable) they
 * are delivered in this process.
 */
import type { Redis } from "ioredis";
import { newRedisClient } from "../../core/redis-options.js";

export interface FeedbackMessage {
  kind: "feedback";
  route: string;
  requestId: string;
  /** The target that answered, `provider/model`. */
  served: string;
  score: number;
}

export interface ExampleMessage {
  kind: "example";
  route: string;
  idx: number[];
  val: number[];
  labels: (number | null)[];
}

type Message = FeedbackMessage | ExampleMessage;

/** A route's learner: turns feedback on a request it remembers into an example, and learns examples. */
export interface Learner {
  example(f: FeedbackMessage): ExampleMessage | undefined;
  learn(e: ExampleMessage): void;
}

export interface RouterFeedbackOptions {
  redisUrl?: string;
  prefix?: string;
  onError?: (err: unknown) => void;
}

export class RouterFeedback {
  readonly #learners = new Map<string, Learner>();
  readonly #channel: string;
  readonly #pub: Redis | undefined;
  readonly #sub: Redis | undefined;
  readonly #onError: (err: unknown) => void;

  constructor(options: RouterFeedbackOptions = {}) {
    this.#channel = `${options.prefix ?? "liaison:"}router:feedback`;
    this.#onError = options.onError ?? (() => {});
    if (options.redisUrl) {
      this.#pub = newRedisClient(options.redisUrl);
      this.#sub = newRedisClient(options.redisUrl, { enableOfflineQueue: true });
      for (const r of [this.#pub, this.#sub]) r.on("error", () => {});
      this.#pub.connect().catch(() => {});
      this.#sub.connect().then(() => this.#sub!.subscribe(this.#channel)).catch(this.#onError);
      this.#sub.on("message", (_channel: string, text: string) => {
        try {
          this.#deliver(JSON.parse(text) as Message);
        } catch (err) {
          this.#onError(err);
        }
      });
    }
  }

  register(route: string, learner: Learner): void {
    this.#learners.set(route, learner);
  }

  /** Feedback on one request. Resolves once it is published (or, without Redis, learnt: true if this instance remembered the request). */
  async submit(f: Omit<FeedbackMessage, "kind">): Promise<boolean> {
    return this.#send({ kind: "feedback", ...f });
  }

  async #send(m: Message): Promise<boolean> {
    if (this.#pub && this.#pub.status === "ready") {
      try {
        await this.#pub.publish(this.#channel, JSON.stringify(m));
        return true;
      } catch (err) {
        this.#onError(err);
      }
    }
    return this.#deliver(m);
  }

  #deliver(m: Message): boolean {
    const learner = this.#learners.get(m.route);
    if (!learner) return false;
    if (m.kind === "example") {
      learner.learn(m);
      return true;
    }
    const example = learner.example(m);
    if (!example) return false;
    void this.#send(example);
    return true;
  }

  async close(): Promise<void> {
    for (const r of [this.#sub, this.#pub]) {
      if (!r) continue;
      if (r.status === "ready") await r.quit().catch(() => r.disconnect());
      else r.disconnect();
    }
  }
}

/** Recently routed requests' prompts (kNN form), oldest forgotten first; an entry lives `ttlMs`. */
export class PendingPrompts<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();

  constructor(readonly maxPending = 10_000, readonly ttlMs = 3_600_000, readonly now: () => number = Date.now) {}

  remember(requestId: string, value: T): void {
    if (this.#entries.size >= this.maxPending) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(requestId, { value, at: this.now() });
  }

  get(requestId: string): T | undefined {
    const e = this.#entries.get(requestId);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.#entries.delete(requestId);
      return undefined;
    }
    return e.value;
  }
}
