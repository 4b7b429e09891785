/** The admin API's answers, as far as the pages read them (docs/http-api.md, docs/keys-and-budgets.md). */
import type { UsagePoint } from "../lib/ranges";
import type { Role } from "../lib/access";

export interface LogSummary {
  id: string;
  created_at: string;
  endpoint: string;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  attempts: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  cache: string | null;
  cache_saved_usd?: number | null;
  key_id: string | null;
  team_id?: string | null;
  trace_id: string | null;
  stream: boolean;
  metadata: Record<string, unknown> | null;
  route_score?: number | null;
  route_target?: string | null;
  feedback_score?: number | null;
  feedback_comment?: string | null;
  prompt?: string | null;
  prompt_version?: number | null;
}

export interface AttemptLogEntry {
  provider: string;
  model: string;
  status: number;
  latency_ms: number;
  error: string | null;
  next?: string;
}

export interface LogRow extends LogSummary {
  request_body: unknown;
  response_body: unknown;
  attempt_log: AttemptLogEntry[] | null;
}

export interface LogPage {
  data: LogSummary[];
  next_cursor: string | null;
}

export interface Limits {
  models: string[] | null;
  mcp_tools?: string[] | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: "daily" | "weekly" | "monthly" | "total" | null;
  metadata: Record<string, unknown> | null;
}

export interface KeyRecord extends Limits {
  id: string;
  name: string;
  team_id: string | null;
  role: Role;
  key_prefix: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface TeamRecord extends Limits {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export type UsageRow = UsagePoint;

export interface ProviderTarget {
  target: string;
  provider: string;
  type: string;
  model: string;
  circuit: "closed" | "open" | "half-open" | string;
  error_rate: number;
  requests: number;
  consecutive_failures: number;
  retry_at: string | null;
  in_flight: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  price?: { input: number; output: number; cached_input: number | null; source: string } | null;
}

export interface ProvidersAnswer {
  providers: { name: string; type: string; models?: string[] }[];
  targets: ProviderTarget[];
  models?: { name: string; strategy: string; targets: string[]; fallbacks: string[] }[];
  aliases?: Record<string, string>;
  shared_state: string;
}

export interface ModelList {
  data: { id: string; owned_by: string }[];
}

export interface WorkflowSummary {
  name: string;
  description?: string;
  version: number;
  inputs?: Record<string, { type: string; required?: boolean; default?: unknown; description?: string }>;
}

export interface WorkflowStep {
  id: string;
  status: "succeeded" | "failed" | "skipped" | "running";
  output?: unknown;
  model?: string;
  request_id?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  cost_usd?: number | null;
  latency_ms?: number | null;
  error?: string | { message?: string } | null;
}

export interface WorkflowRun {
  id: string;
  workflow: string;
  status: "succeeded" | "failed" | "running";
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown> | null;
  steps: WorkflowStep[];
  cost_usd?: number | null;
  latency_ms?: number | null;
  created_at?: string;
}

/** GET /admin/routing: what the request log says about models routed by `learned` or `cascade`. */
export interface RoutingDecision {
  id: string;
  created_at: string;
  route_score: number | null;
  route_target: string | null;
  /** The target that answered (provider/model). */
  served: string | null;
  status: number;
  feedback_score: number | null;
}

export interface RoutedModel {
  model: string;
  strategy: string;
  quality: number | null;
  calls: number;
  targets: { target: string; calls: number; share: number }[];
  scores: { bucket_low: number; bucket_high: number; count: number }[];
  feedback: { count: number; mean: number | null };
  recent: RoutingDecision[];
}

export interface RoutingAnswer {
  since: string;
  until: string | null;
  models: RoutedModel[];
}

/** The prompt registry (/v1/prompts, DESIGN.md §7). */
export interface PromptMessage {
  role: string;
  content: string;
}

export interface PromptVersion {
  version: number;
  messages: PromptMessage[];
  model: string | null;
  params: Record<string, unknown>;
  description: string | null;
  created_at: string;
}

export interface PromptView {
  name: string;
  latest: PromptVersion;
  versions: number[];
  labels: Record<string, number>;
}

export interface EvalResult {
  version: number;
  label?: string;
  n: number;
  mean: number;
  ci_low: number;
  ci_high: number;
  cost_usd: number;
  p50_ms: number;
}

export interface EvalReport {
  id: string;
  created_at: string;
  prompt: string;
  results: EvalResult[];
  winner: { version: number; significant: boolean };
  scorer?: string;
  model?: string | null;
  dataset?: string | null;
  n?: number;
  errors?: Record<string, number>;
  judge_cost_usd?: number;
}
