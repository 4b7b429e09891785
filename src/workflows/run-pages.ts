/**
 * Stored runs as the API shows them: the cursor of GET …/runs (the last
 * run's place in the newest-first order, opaque to clients), who may see
 * which runs, and the listing's view of a run (steps without their input
 * and output, which GET …/runs/{id} has).
 */
import { GatewayError } from "../core/errors.js";
import type { RunPosition, RunQuery } from "../store/workflows/types.js";

/** Which runs a caller sees: all of them, one team's, or one key's. */
export type RunScope = { all: true } | { team_id: string } | { key_id: string };

export function encodeCursor(p: RunPosition): string {
  return Buffer.from(JSON.stringify([p.created_at, p.id])).toString("base64url");
}

export function decodeCursor(cursor: string): RunPosition {
  try {
    const [created_at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof created_at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(created_at))) return { created_at, id };
  } catch {
    // refused below
  }
  throw new GatewayError("invalid_request", "cursor is not one this gateway gave out (use next_cursor from the previous page).", { param: "cursor" });
}

export function scoped(q: RunQuery, scope: RunScope): RunQuery {
  if ("team_id" in scope) return { ...q, team_id: scope.team_id };
  if ("key_id" in scope) return { ...q, key_id: scope.key_id };
  return q;
}

export function visible(run: { key_id: string | null; team_id: string | null }, scope: RunScope): boolean {
  if ("team_id" in scope) return run.team_id === scope.team_id;
  if ("key_id" in scope) return run.key_id === scope.key_id;
  return true;
}

/** A run in a listing: the record, each step without its input and output. */
export function summaryOf(record: Record<string, unknown>): Record<string, unknown> {
  const steps = Array.isArray(record.steps) ? (record.steps as Record<string, unknown>[]) : [];
  return { ...record, steps: steps.map(({ input: _input, output: _output, ...rest }) => rest) };
}
