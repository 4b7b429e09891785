/**
 * Training rows from rated requests (`liaison router export`): each request
 * log row that POST /v1/feedback scored, with its request body (kept when
 * `logging.bodies` is on), becomes the prompt's outcome for the model that
 * answered it. Rows with the same prompt text are merged, one outcome per
 * model (the mean when a model was rated more than once), into the shape
 * `router train` reads: `{"prompt", "scores": {MODEL: 0…1}}`. Training needs
 * two models' outcomes on a prompt; a prompt rated for one model only is
 * still written (counted apart) so that the other model's rating can be
 * added to the file later.
 */
export interface RatedRow {
  id: string;
  /** The prompt text the router scores (the CLI takes it from the request body as the router does); empty when there is none. */
  prompt: string;
  /** The model that answered, as the upstream named it. */
  upstream_model: string | null;
  feedback_score: number | null;
}

export interface FeedbackRows {
  /** JSONL rows for `router train`, in first-seen order. */
  rows: { prompt: string; scores: Record<string, number>; ids: string[] }[];
  /** Prompts with outcomes for two or more models (the rows training can use). */
  usable: number;
  /** Rated rows left out: no request body (logging.bodies off), no prompt text, or no model. */
  skipped: number;
}

export function feedbackRows(rated: Iterable<RatedRow>): FeedbackRows {
  const byPrompt = new Map<string, { sums: Map<string, { s: number; n: number }>; ids: string[] }>();
  let skipped = 0;
  for (const r of rated) {
    const prompt = r.prompt.trim();
    if (!prompt || !r.upstream_model || r.feedback_score === null || !Number.isFinite(r.feedback_score)) {
      skipped++;
      continue;
    }
    let entry = byPrompt.get(prompt);
    if (!entry) byPrompt.set(prompt, (entry = { sums: new Map(), ids: [] }));
    const m = entry.sums.get(r.upstream_model) ?? { s: 0, n: 0 };
    m.s += Math.min(1, Math.max(0, r.feedback_score));
    m.n++;
    entry.sums.set(r.upstream_model, m);
    entry.ids.push(r.id);
  }
  const rows = [...byPrompt].map(([prompt, e]) => ({ prompt, scores: Object.fromEntries([...e.sums].map(([m, v]) => [m, v.s / v.n])), ids: e.ids }));
  return { rows, usable: rows.filter((r) => Object.keys(r.scores).length >= 2).length, skipped };
}
