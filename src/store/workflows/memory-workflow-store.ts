/**
 * Workflows and runs in Maps: the memory store's, the fallback of a gateway
 * without a database, and the reference the SQL store is tested against
 * (test/workflows/workflow-store.test.ts runs one suite on all). Documents
 * are copied in and out, as a database would.
 */
import type { RunPosition, RunQuery, StoredRun, StoredWorkflow, WorkflowStore } from "./types.js";

/** Newest first, as the SQL store orders: by start time, then id. */
export function newerFirst(a: RunPosition, b: RunPosition): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface MemoryWorkflowStoreOptions {
  /** Keep at most this many runs (the oldest go first); default: no bound. */
  maxRuns?: number;
}

export class MemoryWorkflowStore implements WorkflowStore {
  readonly #workflows = new Map<string, StoredWorkflow[]>();
  readonly #runs = new Map<string, StoredRun>();
  readonly #maxRuns: number;

  constructor(options: MemoryWorkflowStoreOptions = {}) {
    this.#maxRuns = options.maxRuns ?? Infinity;
  }

  async latest(name: string): Promise<StoredWorkflow | undefined> {
    const versions = this.#workflows.get(name);
    return versions && structuredClone(versions[versions.length - 1]);
  }

  async get(name: string, version: number): Promise<StoredWorkflow | undefined> {
    const found = this.#workflows.get(name)?.find((w) => w.version === version);
    return found && structuredClone(found);
  }

  async versions(name: string): Promise<number[]> {
    return (this.#workflows.get(name) ?? []).map((w) => w.version);
  }

  async list(): Promise<StoredWorkflow[]> {
    const names = [...this.#workflows.keys()].sort();
    return names.map((n) => structuredClone(this.#workflows.get(n)!.at(-1)!));
  }

  async add(workflow: StoredWorkflow): Promise<boolean> {
    const versions = this.#workflows.get(workflow.name) ?? [];
    if (versions.some((w) => w.version === workflow.version)) return false;
    versions.push(structuredClone(workflow));
    versions.sort((a, b) => a.version - b.version);
    this.#workflows.set(workflow.name, versions);
    return true;
  }

  async saveRun(run: StoredRun): Promise<void> {
    if (this.#runs.has(run.id)) return;
    this.#runs.set(run.id, structuredClone(run));
    if (this.#runs.size > this.#maxRuns) {
      const oldest = [...this.#runs.values()].sort(newerFirst).at(-1)!;
      this.#runs.delete(oldest.id);
    }
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const run = this.#runs.get(id);
    return run && structuredClone(run);
  }

  async listRuns(q: RunQuery): Promise<StoredRun[]> {
    const out = [...this.#runs.values()].filter((r) =>
      r.workflow === q.workflow
      && (q.after === undefined || newerFirst(r, q.after) > 0)
      && (q.since === undefined || r.created_at >= q.since)
      && (q.key_id === undefined || r.key_id === q.key_id)
      && (q.team_id === undefined || r.team_id === q.team_id)
      && (q.status === undefined || r.status === q.status));
    return structuredClone(out.sort(newerFirst).slice(0, q.limit));
  }

  async deleteRunsOlderThan(before: string): Promise<number> {
    let deleted = 0;
    for (const [id, r] of this.#runs) {
      if (r.created_at < before && this.#runs.delete(id)) deleted++;
    }
    return deleted;
  }
}
