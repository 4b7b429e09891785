/**
 * The main-thread side of the SQLite writer thread: one promise per batch,
 * answered in order. A crashed worker fails its pending batches (the
 * LogWriter retries them) and is replaced on the next insert.
 */
import { Worker } from "node:worker_threads";
import { LOG_COLUMNS } from "../log-query.js";
import type { InsertReply, InsertWorkerData } from "./insert-worker.js";
import type { RowBlock } from "./row-bytes.js";

// Under the TypeScript test runner this module is loaded from src/ as .ts;
// the worker then needs the same loader. Compiled code runs the .js beside it.
const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(fromSource ? "./insert-worker.ts" : "./insert-worker.js", import.meta.url);

/**
 * The writer thread runs little JavaScript: a small young generation keeps its
 * memory small (the default would let it grow like the main thread's).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

interface Pending { resolve(): void; reject(err: Error): void }

export class InsertWorker {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #data: InsertWorkerData;

  constructor(filename: string, busyTimeoutMs: number) {
    this.#data = { filename, busyTimeoutMs, columns: LOG_COLUMNS };
  }

  #start(): Worker {
    const worker = fromSource
      // The test runner's loader does not reach worker threads: register tsx in the thread first.
      ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`, { eval: true, workerData: this.#data, resourceLimits: WORKER_LIMITS })
      : new Worker(workerUrl, { workerData: this.#data, resourceLimits: WORKER_LIMITS });
    worker.on("message", (reply: InsertReply) => {
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (reply.error === undefined) p.resolve();
      else p.reject(new Error(reply.error));
    });
    const fail = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the SQLite writer thread exited (code ${code})`)));
    // The thread must not keep the process alive on its own.
    worker.unref();
    return worker;
  }

  /** Inserts a block's rows in one transaction. The block's buffers are transferred: it is unusable here afterwards. */
  insert(block: RowBlock): Promise<void> {
    const worker = (this.#worker ??= this.#start());
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, block }, [block.bytes.buffer, block.ends.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    // Let batches already sent finish before the thread goes.
    await Promise.allSettled([...this.#pending.values()].map((p) => new Promise<void>((r) => {
      const { resolve, reject } = p;
      p.resolve = () => { resolve(); r(); };
      p.reject = (e) => { reject(e); r(); };
    })));
    await worker.terminate();
  }
}
