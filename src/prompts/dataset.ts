/**
 * Evaluation datasets: JSON Lines, one row per line,
 * `{"variables": {...}, "expected": ...}` (and an optional `id`). Blank
 * lines are skipped; any other problem names the file and the line.
 */
import { readFileSync } from "node:fs";
import { GatewayError } from "../core/errors.js";

export interface DatasetRow {
  /** The row's `id`, else its line number. */
  id: string;
  variables: Record<string, unknown>;
  /** What the scorer compares the answer with (absent for json_schema with a schema of its own). */
  expected?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function invalid(where: string, message: string): GatewayError {
  return new GatewayError("invalid_request", `${where}: ${message}`, { param: "dataset", clientCode: "invalid_dataset" });
}

/** Rows from JSONL text; `source` names it in messages. */
export function parseDataset(text: string, source = "dataset"): DatasetRow[] {
  const rows: DatasetRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw invalid(where, `not JSON (${(err as Error).message})`);
    }
    rows.push(datasetRow(value, where, String(i + 1)));
  });
  if (rows.length === 0) throw invalid(source, "no rows");
  return rows;
}

/** One row checked (library callers pass rows as objects). */
export function datasetRow(value: unknown, where: string, fallbackId: string): DatasetRow {
  if (!isObject(value)) throw invalid(where, 'a row is a JSON object {"variables": {...}, "expected": ...}');
  const variables = value.variables ?? {};
  if (!isObject(variables)) throw invalid(where, "variables must be an object of the prompt's variables");
  const id = value.id;
  if (id !== undefined && typeof id !== "string" && typeof id !== "number") throw invalid(where, "id must be a string or a number");
  return { id: id === undefined ? fallbackId : String(id), variables, ...(Object.hasOwn(value, "expected") ? { expected: value.expected } : {}) };
}

export function readDataset(file: string): DatasetRow[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw invalid(file, `cannot read it: ${(err as Error).message}`);
  }
  return parseDataset(text, file);
}
