/**
 * The prompt registry in the database (DESIGN.md §7 "Prompt registry"):
 * versions (immutable, one row each), labels (movable names for versions)
 * and the reports of evaluations. The store keeps documents it does not
 * interpret: a version's template and an evaluation's report are JSON, read
 * back as they were written; src/prompts/ gives them their meaning.
 */

/** Where a version came from: POST /v1/prompts, a file of ./prompts, or `liaison prompts optimize`. */
export type PromptSource = "api" | "file" | "optimizer";

export interface StoredPrompt {
  name: string;
  /** 1, 2, …: versions are never edited. */
  version: number;
  /** ISO-8601 UTC. */
  created_at: string;
  source: PromptSource;
  /** The key that wrote it (null: the admin key, a file, the CLI). */
  created_by: string | null;
  /** `{messages, model, params, description}` (src/prompts/definition.ts). */
  template: Record<string, unknown>;
}

export interface StoredLabel {
  name: string;
  label: string;
  version: number;
  /** ISO-8601 UTC: when the label was last moved. */
  updated_at: string;
}

export interface StoredPromptEval {
  id: string;
  prompt: string;
  /** ISO-8601 UTC. */
  created_at: string;
  /** The whole report (src/prompts/eval-report.ts). */
  report: Record<string, unknown>;
}

export interface PromptStore {
  /** The highest version of a prompt (of those from `source`, when given). */
  latest(name: string, source?: PromptSource): Promise<StoredPrompt | undefined>;
  get(name: string, version: number): Promise<StoredPrompt | undefined>;
  /** The latest version of every prompt, by name. */
  list(): Promise<StoredPrompt[]>;
  /** Every prompt's versions, oldest first (one query, no templates). */
  versions(name?: string): Promise<Map<string, number[]>>;
  /** Adds a version; false when that (name, version) is already stored (another writer won). */
  add(prompt: StoredPrompt): Promise<boolean>;
  /** A prompt's labels (or every prompt's), by name then label. */
  labels(name?: string): Promise<StoredLabel[]>;
  /** Points a label at a version (creating or moving it). */
  setLabel(label: StoredLabel): Promise<void>;
  /** False when there was no such label. */
  deleteLabel(name: string, label: string): Promise<boolean>;
  /** Stores an evaluation's report; a second save of the same id is ignored. */
  saveEval(report: StoredPromptEval): Promise<void>;
  /** A prompt's evaluations, newest first; up to `limit`. */
  listEvals(prompt: string, limit: number): Promise<StoredPromptEval[]>;
}
