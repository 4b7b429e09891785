/**
 * `gateway.prompts` (src/library/create-gateway.ts): the registry's
 * operations in-process, the same ones the HTTP API and the CLI offer. The
 * registry opens on first use (the ./prompts files are read then).
 */
import type { ChatChunk, ChatResponse } from "../core/types.js";
import type { CallOptions } from "../engine/call-options.js";
import type { Engine } from "../engine/engine.js";
import { plain } from "../core/lazy-chunk.js";
import { datasetRow, type DatasetRow } from "./dataset.js";
import { evaluatePrompt, type EvalOptions } from "./eval-run.js";
import type { EvalReport } from "./eval-report.js";
import type { OptimizeReport } from "./optimize-report.js";
import { optimizePrompt, type OptimizeOptions } from "./optimizer.js";
import { Prompts, type PromptView, type VersionView } from "./prompts.js";

/** Dataset rows as objects `{variables, expected, id?}` (checked as a file's lines are). */
type Rows = { rows: (DatasetRow | Record<string, unknown>)[] };

export interface PromptsApi {
  list(): Promise<PromptView[]>;
  get(name: string): Promise<PromptView>;
  version(name: string, version: number): Promise<VersionView & { name: string }>;
  /** `{name, messages, model?, params?, description?}` → the version stored (n+1 for an existing name). */
  create(prompt: Record<string, unknown>): Promise<{ name: string; version: number }>;
  setLabel(name: string, label: string, version: number): Promise<{ name: string; label: string; version: number }>;
  /** `{variables, version? | label?, model?, …chat parameters}` → a chat completion (logged with the prompt and version). */
  complete(name: string, body: Record<string, unknown>, options?: CallOptions): Promise<ChatResponse>;
  /** The same, streamed: OpenAI-shaped chunks. */
  completeStream(name: string, body: Record<string, unknown>, options?: CallOptions): AsyncIterable<ChatChunk>;
  eval(options: Omit<EvalOptions, "rows"> & Rows): Promise<EvalReport>;
  optimize(options: Omit<OptimizeOptions, "rows"> & Rows): Promise<OptimizeReport>;
  /** Stored evaluation reports, newest first. */
  evals(name: string, limit?: number): Promise<Record<string, unknown>[]>;
}

const checked = (rows: Rows["rows"]): DatasetRow[] => rows.map((r, i) => datasetRow(r, `rows[${i}]`, String(i + 1)));

export function promptsApi(ready: Promise<Engine>): PromptsApi {
  let opened: Promise<Prompts> | undefined;
  const registry = async (): Promise<Prompts> => {
    opened ??= ready.then((engine) => Prompts.open(engine));
    return opened.catch((err: unknown) => {
      opened = undefined; // a file fixed since may be read on the next call
      throw err;
    });
  };
  return {
    list: async () => (await registry()).list(),
    get: async (name) => (await registry()).get(name),
    version: async (name, version) => (await registry()).version(name, version),
    create: async (prompt) => (await registry()).create(prompt),
    setLabel: async (name, label, version) => (await registry()).setLabel(name, label, version),
    complete: async (name, body, options) => (await (await registry()).complete(name, body, options)).value,
    completeStream: (name, body, options) => ({
      async *[Symbol.asyncIterator]() {
        const { stream } = await (await registry()).completeStream(name, body, options);
        // Chunks the gateway left unparsed (LazyChunk) become plain objects here, as gateway.chatStream gives them.
        for await (const chunk of stream) yield plain(chunk);
      },
    }),
    eval: async (o) => evaluatePrompt(await registry(), { ...o, rows: checked(o.rows) }),
    optimize: async (o) => optimizePrompt(await registry(), { ...o, rows: checked(o.rows) }),
    evals: async (name, limit) => (await registry()).evals(name, limit),
  };
}
