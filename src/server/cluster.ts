/**
 * `liaison serve --workers N` (DESIGN.md §7 Operations): node:cluster
 * workers on one port. The primary serves no request; it starts the
 * workers (after migrating the store once, so they do not race for it),
 * starts a new one when one dies, relays reloads and metrics between them,
 * and on SIGTERM/SIGINT lets every worker drain before it exits.
 *
 * Messages between primary and workers (process IPC), all tagged `liaison`:
 *   worker → primary   {liaison: "reload" | "metrics", id}
 *   primary → workers  {liaison: "do-reload" | "get-metrics", id}
 *   worker → primary   {liaison: "part", id, ok, value | error}
 *   primary → worker   {liaison: "done", id, ok, value | error}
 * so POST /admin/reload on any worker reloads all of them, and a scrape of
 * /metrics on any worker answers the sum of all.
 */
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { Config } from "../config/schema.js";
import type { ReloadResult } from "../engine/engine.js";
import { createStore } from "../store/create-store.js";
import type { Logger } from "../telemetry/logger.js";
import type { RunningServer } from "./start.js";

type Ask = "reload" | "metrics";
interface Message { liaison: string; id: number; ok?: boolean; value?: unknown; error?: string }

/** How long the primary waits for the workers' parts of a reload or a scrape. */
const GATHER_TIMEOUT_MS = 10_000;

/** Resolves "auto" (one per core) and numbers. */
export function workerCount(value: string, cores: number): number {
  if (value === "auto") return Math.max(1, cores);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--workers must be a whole number from 1 to 256, or auto (got '${value}').`);
  return n;
}

/** Why `config` cannot run on several workers, or undefined. */
export function clusterProblem(config: Config, workers: number): string | undefined {
  if (workers > 1 && !config.redis) {
    return `--workers ${workers} needs shared state: limits, budgets and circuit breakers must be counted in one place. Configure redis.url (or run one worker).`;
  }
  return undefined;
}

function isMessage(m: unknown): m is Message {
  return typeof m === "object" && m !== null && typeof (m as Message).liaison === "string" && typeof (m as Message).id === "number";
}

export interface PrimaryOptions {
  workers: number;
  config: Config;
  logger: Logger;
  /** Called once every worker listens, with the URL they share. */
  onListening(url: string): void;
}

/** Runs the primary: forks the workers and serves their requests to each other until a signal stops them all. */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { workers, config, logger } = options;
  if (config.logging.requests) {
    const store = await createStore(config.storage.url);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
  }
  let stopping = false;
  let announced = false;
  const listening = new Set<number>();
  let nextId = 1;
  const gathers = new Map<number, { want: number; parts: Message[]; done: (parts: Message[]) => void }>();

  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());

  /** Asks every worker and waits for all their parts (or the timeout). */
  const gather = (kind: "do-reload" | "get-metrics"): Promise<Message[]> => new Promise((resolve) => {
    const id = nextId++;
    const targets = live();
    if (targets.length === 0) return resolve([]);
    const timer = setTimeout(() => finish(), GATHER_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      const g = gathers.get(id);
      gathers.delete(id);
      resolve(g?.parts ?? []);
    };
    gathers.set(id, { want: targets.length, parts: [], done: finish });
    for (const w of targets) w.send({ liaison: kind, id });
  });

  const answer = async (from: Worker, ask: Ask, id: number): Promise<void> => {
    let reply: Message;
    if (ask === "reload") {
      const parts = await gather("do-reload");
      const failed = parts.find((p) => !p.ok);
      reply = failed ? { liaison: "done", id, ok: false, error: failed.error } : { liaison: "done", id, ok: true, value: { ...(parts[0]?.value as ReloadResult), workers: parts.length } };
    } else {
      const parts = (await gather("get-metrics")).filter((p) => p.ok);
      const text = await AggregatorRegistry.aggregate(parts.map((p) => p.value as object[])).metrics();
      const workersLine = `# HELP liaison_cluster_workers Workers whose metrics this scrape sums.\n# TYPE liaison_cluster_workers gauge\nliaison_cluster_workers ${parts.length}\n`;
      reply = { liaison: "done", id, ok: true, value: text + workersLine };
    }
    if (from.isConnected()) from.send(reply);
  };

  const fork = (): void => {
    const w = cluster.fork({ LIAISON_WORKER: "1" });
    w.on("message", (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.liaison === "listening") {
        listening.add(w.id);
        if (!announced && listening.size >= workers) {
          announced = true;
          options.onListening(String(m.value));
        }
      } else if (m.liaison === "part") {
        const g = gathers.get(m.id);
        if (!g) return;
        g.parts.push(m);
        if (g.parts.length >= g.want) g.done(g.parts);
      } else if (m.liaison === "reload" || m.liaison === "metrics") {
        void answer(w, m.liaison, m.id);
      }
    });
  };

  cluster.on("exit", (w, code, signal) => {
    listening.delete(w.id);
    if (stopping) {
      if (live().length === 0) process.exit(0);
      return;
    }
    logger.error({ worker: w.process.pid, code, signal }, "worker exited; starting another");
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    logger.info({ signal, workers: live().length }, "shutting down: every worker drains its requests and flushes its logs");
    if (live().length === 0) process.exit(0);
    for (const w of live()) w.process.kill("SIGTERM");
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => {
    void gather("do-reload").then((parts) => {
      const failed = parts.find((p) => !p.ok);
      if (failed) logger.error({ err: failed.error }, "configuration reload refused; the old configuration keeps serving");
      else logger.info({ workers: parts.length }, "configuration reloaded on every worker");
    });
  });

  for (let i = 0; i < workers; i++) fork();
}

/** In a worker: answers the primary's requests, and asks it on behalf of this worker's routes. */
export function joinCluster(running: RunningServer): { reloadAll(): Promise<ReloadResult>; metricsText(): Promise<string> } {
  let nextId = 1;
  const waiting = new Map<number, (m: Message) => void>();
  process.on("message", (m: unknown) => {
    if (!isMessage(m)) return;
    const send = (reply: Omit<Message, "liaison" | "id">) => process.send?.({ liaison: "part", id: m.id, ...reply });
    if (m.liaison === "do-reload") {
      running.reload().then((value) => send({ ok: true, value }), (err: unknown) => send({ ok: false, error: (err as Error)?.message ?? String(err) }));
    } else if (m.liaison === "get-metrics") {
      running.engine.metrics.registry.getMetricsAsJSON().then((value) => send({ ok: true, value }), (err: unknown) => send({ ok: false, error: String(err) }));
    } else if (m.liaison === "done") {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  const ask = (kind: Ask): Promise<Message> => new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary process did not answer the ${kind} in time`));
    }, GATHER_TIMEOUT_MS + 5_000);
    waiting.set(id, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    process.send?.({ liaison: kind, id });
  });
  process.send?.({ liaison: "listening", id: 0, value: running.url });
  return {
    reloadAll: async () => {
      const m = await ask("reload");
      if (!m.ok) throw new Error(m.error ?? "reload failed");
      return m.value as ReloadResult;
    },
    metricsText: async () => String((await ask("metrics")).value),
  };
}
