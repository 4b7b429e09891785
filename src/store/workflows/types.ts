/**
 * Workflows in the database (DESIGN.md §7 "Workflows"): the definitions
 * (uploads, and the files of `workflows.dir` synced at start), one row per
 * version, and the record of every run. The store keeps documents it does
 * not interpret: a definition and a run record are JSON, read back as they
 * were written; src/workflows/ gives them their meaning.
 */

export type WorkflowSource = "file" | "upload";

export interface StoredWorkflow {
  name: string;
  /** 1, 2, …: a new version per change; versions are never edited. */
  version: number;
  /** ISO-8601 UTC. */
  created_at: string;
  source: WorkflowSource;
  /** The key that uploaded it (null: the admin key, or a file). */
  created_by: string | null;
  definition: Record<string, unknown>;
}

export interface StoredRun {
  id: string;
  workflow: string;
  /** The definition's version; null for a definition run without being stored (the library's runWorkflow). */
  version: number | null;
  /** ISO-8601 UTC: when the run started. */
  created_at: string;
  status: string;
  /** Who ran it: what GET …/runs filters on. */
  key_id: string | null;
  team_id: string | null;
  /** The whole run record (src/workflows/run-record.ts). */
  record: Record<string, unknown>;
}

/** A run's position in the newest-first order (the cursor names the last run of a page). */
export interface RunPosition {
  created_at: string;
  id: string;
}

export interface RunQuery {
  workflow: string;
  /** 1 to 100: how many runs to return. */
  limit: number;
  /** Runs strictly after this one, newest first. */
  after?: RunPosition;
  /** Runs that started at or after this (ISO-8601): retention holds between sweeps. */
  since?: string;
  /** Only the runs of this key, or of this team. */
  key_id?: string;
  team_id?: string;
  status?: string;
}

export interface WorkflowStore {
  /** The highest version of a workflow. */
  latest(name: string): Promise<StoredWorkflow | undefined>;
  get(name: string, version: number): Promise<StoredWorkflow | undefined>;
  /** Its versions, oldest first (empty when there is no such workflow). */
  versions(name: string): Promise<number[]>;
  /** The latest version of every workflow, by name. */
  list(): Promise<StoredWorkflow[]>;
  /** Adds a version; false when that (name, version) is already stored (another writer won). */
  add(workflow: StoredWorkflow): Promise<boolean>;
  /** Stores a finished run; a second save of the same id is ignored. */
  saveRun(run: StoredRun): Promise<void>;
  getRun(id: string): Promise<StoredRun | undefined>;
  /** Newest first; up to `limit` runs. */
  listRuns(query: RunQuery): Promise<StoredRun[]>;
  /** Deletes runs started before `before` (retention); returns how many. */
  deleteRunsOlderThan(before: string): Promise<number>;
}
