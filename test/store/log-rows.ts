/** Test rows: complete, valid LogRows with ids that sort in creation order. */
import type { LogRow } from "../../src/store/types.js";

let counter = 0;

export function makeRow(overrides: Partial<LogRow> = {}): LogRow {
  counter += 1;
  return {
    id: `req_${String(counter).padStart(8, "0")}`,
    created_at: "2025-01-01T00:00:00.000Z",
    endpoint: "/v1/chat/completions",
    model: "smart",
    provider: "openai",
    upstream_model: "gpt-4o",
    status: 200,
    error_code: null,
    latency_ms: 120,
    ttft_ms: null,
    attempts: 1,
    prompt_tokens: 10,
    completion_tokens: 20,
    cost_usd: 0.00015,
    cache: "miss",
    cache_saved_usd: null,
    key_id: "key_a",
    team_id: null,
    trace_id: null,
    stream: false,
    metadata: null,
    request_body: null,
    response_body: null,
    attempt_log: null,
    route_score: null,
    route_target: null,
    feedback_score: null,
    feedback_comment: null,
    prompt: null,
    prompt_version: null,
    ...overrides,
  };
}

/** `n` rows one millisecond apart, oldest first, starting at `start`. */
export function makeRows(n: number, start = "2025-01-01T00:00:00.000Z", overrides: Partial<LogRow> = {}): LogRow[] {
  const t0 = Date.parse(start);
  return Array.from({ length: n }, (_, i) => makeRow({ created_at: new Date(t0 + i).toISOString(), ...overrides }));
}
