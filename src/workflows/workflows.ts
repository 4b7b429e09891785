/**
 * The workflows of one gateway: the files of `workflows.dir` and the
 * uploads, stored in the database (versions n+1), checked against this
 * gateway's models; runs made with the caller's key and stored with every
 * step; retention (`logging.retention.rows_days`) applied to runs as to log
 * rows. The HTTP routes, the CLI and the library all go through this class;
 * the engine is used only through its public calls.
 */
import { isDeepStrictEqual } from "node:util";
import { signalLink, type ClientLink } from "../core/client-link.js";
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { CallOptions } from "../engine/call-options.js";
import type { Engine } from "../engine/engine.js";
import { MemoryWorkflowStore } from "../store/workflows/memory-workflow-store.js";
import type { StoredWorkflow, WorkflowStore } from "../store/workflows/types.js";
import { compileWorkflow, type CompiledWorkflow } from "./compile.js";
import type { InputDef } from "./definition.js";
import { checkInputs } from "./inputs.js";
import { decodeCursor, encodeCursor, scoped, summaryOf, visible, type RunScope } from "./run-pages.js";
import type { RunEvent, RunRecord } from "./run-record.js";
import { runWorkflow } from "./runner.js";
import { readWorkflowDir, workflowsDir } from "./workflow-files.js";
import { WorkflowError } from "./workflow-error.js";

const DAY_MS = 86_400_000;
/** Runs kept by a gateway without a database (memory only). */
const MEMORY_RUNS = 1_000;

export interface WorkflowSummary { name: string; description: string | null; inputs: Record<string, InputDef>; version: number }

export interface RunStart {
  onEvent?: (event: RunEvent) => void;
  /** The caller leaving cancels the run. */
  client?: ClientLink;
  /** The caller's bound on the whole run (x-liaison-timeout-ms), on top of the workflow's timeout_ms. */
  timeoutMs?: number;
}

export interface PreparedRun {
  wf: CompiledWorkflow;
  version: number | null;
  inputs: Record<string, unknown>;
}

export function notFound(name: string): GatewayError {
  return new GatewayError("invalid_request", `Workflow '${name}' not found.`, { status: 404, clientCode: "workflow_not_found" });
}

export class Workflows {
  readonly #engine: Engine;
  readonly #store: WorkflowStore;
  readonly #compiled = new Map<string, CompiledWorkflow>();
  readonly #rowsDays: number | undefined;
  readonly #sweepEveryMs: number;
  #lastSweep = 0;

  private constructor(engine: Engine, store: WorkflowStore) {
    this.#engine = engine;
    this.#store = store;
    const retention = engine.config.logging.retention;
    this.#rowsDays = retention?.rows_days;
    this.#sweepEveryMs = retention?.interval_ms ?? DAY_MS;
  }

  /** The gateway's workflows, the files of `workflows.dir` checked and stored; throws a WorkflowError naming the file and the path. */
  static async open(engine: Engine, options: { dir?: string | null } = {}): Promise<Workflows> {
    const store = engine.store?.workflows?.() ?? new MemoryWorkflowStore({ maxRuns: MEMORY_RUNS });
    const w = new Workflows(engine, store);
    const dir = options.dir === null ? undefined : options.dir ?? workflowsDir(engine.config);
    if (dir !== undefined) await w.#sync(readWorkflowDir(dir));
    return w;
  }

  /** A file whose workflow differs from the latest stored version becomes the next version. */
  async #sync(files: { file: string; value: unknown }[]): Promise<void> {
    const seen = new Map<string, string>();
    const checked = files.map(({ file, value }) => {
      let wf: CompiledWorkflow;
      try {
        wf = this.compile(value);
      } catch (err) {
        throw err instanceof WorkflowError ? err.in(`in ${file}`) : err;
      }
      const other = seen.get(wf.name);
      if (other) throw new WorkflowError([{ path: "name", message: `'${wf.name}' is also the name of ${other}` }], `in ${file}`);
      seen.set(wf.name, file);
      return wf;
    });
    for (const wf of checked) {
      const latest = await this.#store.latest(wf.name);
      if (latest && isDeepStrictEqual(latest.definition, wf.def)) continue;
      // Another instance starting with the same files may have added this version first: same content, nothing lost.
      await this.#store.add(this.#entry(wf, (latest?.version ?? 0) + 1, "file", null));
    }
  }

  #entry(wf: CompiledWorkflow, version: number, source: StoredWorkflow["source"], createdBy: string | null): StoredWorkflow {
    return { name: wf.name, version, created_at: new Date().toISOString(), source, created_by: createdBy, definition: wf.def as unknown as Record<string, unknown> };
  }

  /** Checks a workflow object against the format and this gateway's models. */
  compile(value: unknown): CompiledWorkflow {
    return compileWorkflow(value, {
      modelProblem: (model) => {
        try {
          this.#engine.router.resolve(model);
          return undefined;
        } catch (err) {
          return `the model '${model}' cannot be routed by this gateway: ${(err as Error).message}`;
        }
      },
    });
  }

  async list(): Promise<WorkflowSummary[]> {
    return (await this.#store.list()).map((w) => ({
      name: w.name,
      description: typeof w.definition.description === "string" ? w.definition.description : null,
      inputs: (w.definition.inputs ?? {}) as Record<string, InputDef>,
      version: w.version,
    }));
  }

  /** The latest version's definition, with its version, every version and where it came from. */
  async get(name: string): Promise<Record<string, unknown>> {
    const latest = await this.#store.latest(name);
    if (!latest) throw notFound(name);
    return { ...latest.definition, version: latest.version, versions: await this.#store.versions(name), source: latest.source, created_at: latest.created_at };
  }

  /** Stores an upload: a 409 when the name exists, unless `replace` (then version n+1). */
  async upload(value: unknown, options: { replace: boolean; createdBy: string | null }): Promise<{ name: string; version: number }> {
    const wf = this.compile(value);
    const latest = await this.#store.latest(wf.name);
    if (latest && !options.replace) {
      throw new GatewayError("invalid_request", `A workflow named '${wf.name}' already exists (version ${latest.version}); add ?replace=true to store this as version ${latest.version + 1}.`,
        { status: 409, param: "name", clientCode: "workflow_exists" });
    }
    const version = (latest?.version ?? 0) + 1;
    if (!(await this.#store.add(this.#entry(wf, version, "upload", options.createdBy)))) {
      throw new GatewayError("invalid_request", `Workflow '${wf.name}' was changed by another request at the same time; send it again.`,
        { status: 409, param: "name", clientCode: "workflow_exists" });
    }
    return { name: wf.name, version };
  }

  async #resolve(target: string | Record<string, unknown>): Promise<{ wf: CompiledWorkflow; version: number | null }> {
    if (typeof target !== "string") return { wf: this.compile(target), version: null };
    const latest = await this.#store.latest(target);
    if (!latest) throw notFound(target);
    const key = `${latest.name}\u0000${latest.version}`;
    let wf = this.#compiled.get(key);
    if (!wf) {
      // A stored workflow is checked again: a model it names may have left the config since.
      wf = this.compile(latest.definition);
      this.#compiled.set(key, wf);
    }
    return { wf, version: latest.version };
  }

  /** A run ready to start: the workflow found and checked, the inputs checked (404 and 400 come from here). */
  async prepare(target: string | Record<string, unknown>, inputs: unknown): Promise<PreparedRun> {
    const { wf, version } = await this.#resolve(target);
    return { wf, version, inputs: checkInputs(wf.inputs, inputs) };
  }

  /**
   * Runs a workflow (by name: its latest version; or a definition, not
   * stored) with the caller's call options: each step is an engine call
   * with the caller's key, metadata, cache controls and trace.
   */
  async run(target: string | Record<string, unknown>, inputs: unknown, caller: CallOptions = {}, start: RunStart = {}): Promise<RunRecord> {
    return this.execute(await this.prepare(target, inputs), caller, start);
  }

  async execute(prepared: PreparedRun, caller: CallOptions = {}, start: RunStart = {}): Promise<RunRecord> {
    const { wf, version, inputs } = prepared;
    const runId = newId("wfrun");
    // What each step starts from: the caller's key and options, without what belongs to one call.
    const { requestId: _r, client, signal, timeoutMs, endpoint: _e, ...base } = caller;
    const record = await runWorkflow(wf, {
      id: runId, version, inputs, onEvent: start.onEvent,
      client: start.client ?? client ?? (signal ? signalLink(signal) : undefined),
      timeoutMs: start.timeoutMs ?? timeoutMs,
      callModel: (c) => this.#engine.chat(c.body, {
        ...base, requestId: c.requestId, client: c.link, ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
        metadata: { ...base.metadata, workflow: wf.name, workflow_run: runId, workflow_step: c.step },
      }),
    });
    await this.#save(record, caller);
    return record;
  }

  async #save(record: RunRecord, caller: CallOptions): Promise<void> {
    try {
      await this.#store.saveRun({
        id: record.id, workflow: record.workflow, version: record.version, created_at: record.created_at, status: record.status,
        key_id: caller.keyId ?? null, team_id: caller.teamId ?? null, record: record as unknown as Record<string, unknown>,
      });
    } catch (err) {
      // The run has been paid for and answered: a store failure is reported, never thrown.
      this.#engine.internalErrors.report("workflow_store", err);
      return;
    }
    const now = Date.now();
    if (this.#rowsDays !== undefined && now - this.#lastSweep >= this.#sweepEveryMs) {
      this.#lastSweep = now;
      this.#store.deleteRunsOlderThan(this.#since()!).catch((err: unknown) => this.#engine.internalErrors.report("workflow_store", err));
    }
  }

  /** Runs started before this are past retention. */
  #since(): string | undefined {
    return this.#rowsDays === undefined ? undefined : new Date(Date.now() - this.#rowsDays * DAY_MS).toISOString();
  }

  async runs(name: string, q: { limit: number; cursor?: string; status?: string }, scope: RunScope): Promise<{ data: Record<string, unknown>[]; next_cursor: string | null }> {
    const since = this.#since();
    const query = scoped({
      workflow: name, limit: q.limit + 1,
      ...(q.cursor === undefined ? {} : { after: decodeCursor(q.cursor) }),
      ...(since === undefined ? {} : { since }),
      ...(q.status === undefined ? {} : { status: q.status }),
    }, scope);
    const rows = await this.#store.listRuns(query);
    if (rows.length === 0 && q.cursor === undefined && !(await this.#store.latest(name))) throw notFound(name);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { data: page.map((r) => summaryOf(r.record)), next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  async getRun(name: string, id: string, scope: RunScope): Promise<RunRecord> {
    const run = await this.#store.getRun(id);
    const since = this.#since();
    if (!run || run.workflow !== name || !visible(run, scope) || (since !== undefined && run.created_at < since)) {
      throw new GatewayError("invalid_request", `Run '${id}' of workflow '${name}' not found.`, { status: 404, clientCode: "run_not_found" });
    }
    return run.record as unknown as RunRecord;
  }
}
