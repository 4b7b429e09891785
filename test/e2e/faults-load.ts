/**
 * Steady load for the fault tests (faults-*.test.ts): a few clients send
 * chat requests back to back — whole answers and streams, alternately —
 * until told to stop, and every answer is kept: its x-request-id, status,
 * what went wrong, and when it started and ended. A stream counts as a
 * success only if it ended with `data: [DONE]` and no error event.
 */
import { randomBytes } from "node:crypto";
import { Agent, request } from "undici";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { PG_URL, pgAdmin } from "../store/pg-test-db.js";

export interface Answer {
  id: string | null;
  status: number | null;
  /** Why this answer is a failure; null when it is a 2xx read to its proper end. */
  problem: string | null;
  stream: boolean;
  startedAt: number;
  endedAt: number;
  /** Which gateway (index into `urls`) it was sent to. */
  target: number;
}

export interface LoadOptions {
  urls: string[];
  /** The key each request carries, per target (or one for all). */
  keys?: (string | undefined)[] | string;
  concurrency?: number;
  /** The model each request asks for (default mock/echo). */
  model?: string;
  /** Per-request timeout; an answer not complete by then is a failure. */
  timeoutMs?: number;
}

export interface Load {
  readonly answers: Answer[];
  /** Answers so far that are failures. */
  failures(): Answer[];
  /** Stops sending, waits for what is in flight, and returns every answer. */
  stop(): Promise<Answer[]>;
}

export function startLoad(o: LoadOptions): Load {
  const dispatcher = new Agent({ connections: (o.concurrency ?? 4) * o.urls.length, keepAliveTimeout: 10_000 });
  const answers: Answer[] = [];
  let running = true;
  let n = 0;
  const keyFor = (target: number) => (typeof o.keys === "string" ? o.keys : o.keys?.[target]);

  const one = async (): Promise<void> => {
    const i = n++;
    const target = i % o.urls.length;
    const stream = i % 2 === 1;
    const key = keyFor(target);
    const startedAt = Date.now();
    const answer: Answer = { id: null, status: null, problem: null, stream, startedAt, endedAt: 0, target };
    try {
      const res = await request(`${o.urls[target]}/v1/chat/completions`, {
        method: "POST",
        dispatcher,
        signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: o.model ?? "mock/echo", stream, messages: [{ role: "user", content: `load ${i}` }] }),
      });
      answer.status = res.statusCode;
      answer.id = typeof res.headers["x-request-id"] === "string" ? res.headers["x-request-id"] : null;
      const text = await res.body.text();
      if (res.statusCode >= 300) answer.problem = `${res.statusCode} ${text.slice(0, 300)}`;
      else if (stream && (!text.trimEnd().endsWith("data: [DONE]") || text.includes('"error"'))) answer.problem = `stream ended badly: …${text.slice(-300)}`;
    } catch (err) {
      answer.problem = `${(err as Error).name}: ${(err as Error).message}`;
    }
    answer.endedAt = Date.now();
    answers.push(answer);
  };

  const worker = async (): Promise<void> => {
    while (running) await one();
  };
  const workers = Array.from({ length: (o.concurrency ?? 4) * o.urls.length }, worker);

  return {
    answers,
    failures: () => answers.filter((a) => a.problem !== null),
    async stop() {
      running = false;
      await Promise.all(workers);
      await dispatcher.close();
      return answers;
    },
  };
}

/** Waits for `ms`, checking every 100 ms that `check` still holds (throws at once when it does not). */
export async function holdFor(ms: number, check: () => void = () => undefined): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    check();
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
  }
  check();
}

export interface ProxiedDatabase {
  /** The database's URL, straight to PostgreSQL (for the test's own checks). */
  direct: string;
  /** The same database through `proxy`: what the gateway is given, so that cutting the proxy cuts it alone. */
  viaProxy: string;
  proxy: TcpProxy;
  /** Closes the proxy and drops the database. */
  drop(): Promise<void>;
}

/** A fresh database on the machine's PostgreSQL, and a TCP proxy in front of it. */
export async function proxiedDatabase(prefix: string): Promise<ProxiedDatabase> {
  const db = `${prefix}_${randomBytes(4).toString("hex")}`;
  await pgAdmin(`create database ${db}`);
  const target = new URL(PG_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const direct = PG_URL.replace(/\/[^/]*$/, `/${db}`);
  return {
    direct,
    viaProxy: direct.replace(`${target.host}/`, `127.0.0.1:${proxy.port}/`),
    proxy,
    async drop() {
      await proxy.close();
      await pgAdmin(`drop database if exists ${db} with (force)`);
    },
  };
}
