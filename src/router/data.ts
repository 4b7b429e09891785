/**
 * Labelled prompts, as `router train` and `router eval` read them: JSONL
 * rows `{"prompt", "correct": {MODEL: bool}}` (RouteLLM's shape) or
 * `{"prompt", "scores": {MODEL: number 0…1}}`, optionally with the models'
 * answers (`"response": {MODEL: text}`, what the cascade's judge learns
 * from). Rows marked `"contaminated": true` are skipped.
 */
export interface LabelledPrompt {
  id?: string;
  prompt: string;
  /** Each model's outcome, 0…1. */
  outcomes: Record<string, number>;
  /** Each model's answer, when the data has them. */
  responses?: Record<string, string>;
  /** Anything else on the row (a subject, say), for filtering. */
  extra?: Record<string, unknown>;
}

export interface ParsedRows {
  rows: LabelledPrompt[];
  skipped: { contaminated: number; invalid: number };
}

/** Parses JSONL text; throws naming the line for a row that is not JSON. */
export function parseLabelledRows(text: string, source = "data"): ParsedRows {
  const rows: LabelledPrompt[] = [];
  const skipped = { contaminated: 0, invalid: 0 };
  let line = 0;
  for (const raw of text.split("\n")) {
    line++;
    if (!raw.trim()) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new Error(`${source}:${line}: not a JSON object`);
    }
    if (row.contaminated === true) {
      skipped.contaminated++;
      continue;
    }
    const parsed = labelledRow(row);
    if (parsed) rows.push(parsed);
    else skipped.invalid++;
  }
  return { rows, skipped };
}

function labelledRow(row: Record<string, unknown>): LabelledPrompt | undefined {
  if (typeof row.prompt !== "string") return undefined;
  const outcomes: Record<string, number> = {};
  const source = (row.correct ?? row.scores) as Record<string, unknown> | undefined;
  if (!source || typeof source !== "object") return undefined;
  for (const [model, v] of Object.entries(source)) {
    if (typeof v === "boolean") outcomes[model] = v ? 1 : 0;
    else if (typeof v === "number" && Number.isFinite(v)) outcomes[model] = Math.min(1, Math.max(0, v));
  }
  if (Object.keys(outcomes).length < 2) return undefined;
  const out: LabelledPrompt = { prompt: row.prompt, outcomes };
  if (typeof row.id === "string" || typeof row.id === "number") out.id = String(row.id);
  if (row.response && typeof row.response === "object") {
    const responses: Record<string, string> = {};
    for (const [m, t] of Object.entries(row.response as Record<string, unknown>)) if (typeof t === "string") responses[m] = t;
    out.responses = responses;
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!["prompt", "correct", "scores", "response", "id", "contaminated"].includes(k)) extra[k] = v;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}

/** The models every row has an outcome for, by mean outcome, strongest first. */
export function modelsByMean(rows: readonly LabelledPrompt[]): { model: string; mean: number }[] {
  const sums = new Map<string, { s: number; n: number }>();
  for (const r of rows) {
    for (const [m, v] of Object.entries(r.outcomes)) {
      const e = sums.get(m) ?? { s: 0, n: 0 };
      e.s += v;
      e.n++;
      sums.set(m, e);
    }
  }
  return [...sums].filter(([, e]) => e.n === rows.length).map(([model, e]) => ({ model, mean: e.s / e.n }))
    .sort((a, b) => b.mean - a.mean || (a.model < b.model ? -1 : 1));
}
