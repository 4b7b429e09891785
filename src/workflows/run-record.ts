/**
 * What a run answers, stores and streams (DESIGN.md §7): the run record,
 * each step's record, and the server-sent events of a streamed run.
 */
import type { ChatMessage } from "../core/types.js";

export type StepStatus = "succeeded" | "failed" | "skipped";
export type RunStatus = "succeeded" | "failed";

/** OpenAI's error fields, as the HTTP API reports errors. */
export interface RunError {
  message: string;
  type: string;
  code: string | null;
}

export interface StepRecord {
  id: string;
  status: StepStatus;
  /** The answer's text (trimmed), or the parsed JSON value for `output: {json: true}`; null when skipped or failed. */
  output: unknown;
  model: string;
  /** The last call's request id, which is its log row's id (null when no call was made). */
  request_id: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** USD, every call of the step added up (retries and the schema retry too). */
  cost_usd: number;
  latency_ms: number;
  error?: RunError;
  /** The messages sent (templates rendered); null when skipped. */
  input: ChatMessage[] | null;
  /** Calls made: retries (`retry.max_attempts`) and the schema retry each count. */
  attempts: number;
  /** The provider that answered the last call, as configured. */
  provider: string | null;
  started_at: string | null;
}

export interface RunRecord {
  id: string;
  workflow: string;
  /** The definition's version; null for a definition run without being stored. */
  version: number | null;
  status: RunStatus;
  inputs: Record<string, unknown>;
  /** The workflow's `outputs:` rendered; null when the run failed. */
  outputs: Record<string, unknown> | null;
  steps: StepRecord[];
  cost_usd: number;
  /** Wall-clock time of the whole run. */
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  created_at: string;
  /** Why the run failed: the failed step's error, or the run's own (timeout, client gone). */
  error: RunError | null;
}

export type RunEvent =
  | { event: "step.started"; data: { run_id: string; id: string; model: string; started_at: string } }
  | { event: "step.completed"; data: StepRecord & { run_id: string } }
  | { event: "run.completed"; data: RunRecord };
