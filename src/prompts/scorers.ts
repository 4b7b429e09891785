/**
 * Scorers (DESIGN.md §7): how one answer is graded against its dataset
 * row, from 0 (wrong) to 1 (right).
 *
 *   exact        the answer, trimmed, equals the row's expected (trimmed)
 *   contains     the answer contains the expected text (an array: every item)
 *   regex        the expected is a pattern (`/…/flags` or bare) the answer matches
 *   json_schema  the answer is JSON (a ```json fence is unwrapped) fitting the schema:
 *                --schema FILE, else the row's expected
 *   numeric      the last number in the answer is within a tolerance of the expected
 *                (`numeric:0.01`, or --tolerance; default exact)
 *   judge:MODEL  MODEL grades the answer against the expected one (./judge.ts)
 *
 * Rows are checked before any model is called: a row a scorer cannot use
 * is a 400 naming it, not a score of 0 discovered at the end of the run.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import type { ChatMessage } from "../core/types.js";
import { parseJsonOutput } from "../workflows/json-output.js";
import type { DatasetRow } from "./dataset.js";
import { gradeWithJudge, type JudgeCall } from "./judge.js";

export const SCORER_NAMES = ["exact", "contains", "regex", "json_schema", "numeric", "judge:MODEL"] as const;

export interface Scorer {
  /** The spec as given: `contains`, `numeric:0.5`, `judge:gpt-4o`. */
  readonly name: string;
  /** Throws a 400 naming the row when it cannot be scored. */
  check(row: DatasetRow): void;
  /** 0 to 1; `input` is the rendered messages the answer replied to. */
  score(answer: string, row: DatasetRow, input: readonly ChatMessage[]): Promise<number>;
}

export interface ScorerOptions {
  /** json_schema: one schema for every row (else each row's expected). */
  schema?: Record<string, unknown>;
  /** numeric: the largest difference that still counts as right. */
  tolerance?: number;
  /** judge:MODEL: how the judge is called (through the gateway). */
  judge?: JudgeCall;
}

const invalid = (message: string, param = "scorer") => new GatewayError("invalid_request", message, { param });
const rowProblem = (row: DatasetRow, message: string) => invalid(`Dataset row ${row.id}: ${message}`, "dataset");

const expectedText = (row: DatasetRow): string => (typeof row.expected === "string" ? row.expected : JSON.stringify(row.expected));

function needExpected(row: DatasetRow, scorer: string): void {
  if (row.expected === undefined || row.expected === null) throw rowProblem(row, `the ${scorer} scorer needs "expected"`);
}

const REGEX_LITERAL = /^\/([\s\S]*)\/([dgimsuvy]*)$/;

function compileRegex(pattern: string): RegExp {
  const literal = REGEX_LITERAL.exec(pattern);
  // g and y would make test() stateful between rows.
  return literal ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, "")) : new RegExp(pattern);
}

/** The last number in a text (models often reason first): `1,234.5`, `-3e2`. */
export function lastNumber(text: string): number | undefined {
  const all = text.match(/-?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?|-?\.\d+/g);
  if (!all) return undefined;
  const n = Number(all[all.length - 1]!.replace(/,/g, ""));
  return Number.isFinite(n) ? n : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function schemaChecker(): (schema: unknown, row: DatasetRow) => z.ZodType {
  const compiled = new Map<string, z.ZodType>();
  return (schema, row) => {
    const key = JSON.stringify(schema);
    let found = compiled.get(key);
    if (!found) {
      if (schema === null || typeof schema !== "object" || Array.isArray(schema)) throw rowProblem(row, "json_schema needs a JSON schema object (--schema FILE, or the row's expected)");
      try {
        found = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (err) {
        throw rowProblem(row, `not a JSON schema this gateway can check: ${(err as Error).message}`);
      }
      compiled.set(key, found);
    }
    return found;
  };
}

/** The scorer a spec names; a 400 listing the scorers for an unknown one. */
export function makeScorer(spec: string, options: ScorerOptions = {}): Scorer {
  const [kind, arg] = spec.includes(":") ? [spec.slice(0, spec.indexOf(":")), spec.slice(spec.indexOf(":") + 1)] : [spec, undefined];
  const simple = (check: (row: DatasetRow) => void, score: (answer: string, row: DatasetRow) => boolean): Scorer => ({
    name: spec,
    check,
    score: async (answer, row) => (score(answer, row) ? 1 : 0),
  });
  switch (kind) {
    case "exact":
      return simple((row) => needExpected(row, "exact"), (answer, row) => answer.trim() === expectedText(row).trim());
    case "contains":
      return simple((row) => needExpected(row, "contains"), (answer, row) =>
        (Array.isArray(row.expected) ? row.expected.map((e) => (typeof e === "string" ? e : JSON.stringify(e))) : [expectedText(row)]).every((e) => answer.includes(e)));
    case "regex":
      return simple((row) => {
        needExpected(row, "regex");
        if (typeof row.expected !== "string") throw rowProblem(row, "the regex scorer needs expected to be a pattern (a string)");
        try {
          compileRegex(row.expected);
        } catch (err) {
          throw rowProblem(row, `not a valid pattern: ${(err as Error).message}`);
        }
      }, (answer, row) => compileRegex(row.expected as string).test(answer));
    case "json_schema": {
      const schemaFor = schemaChecker();
      const schemaOf = (row: DatasetRow) => schemaFor(options.schema ?? row.expected, row);
      return simple((row) => void schemaOf(row), (answer, row) => parseJsonOutput(answer, schemaOf(row)).ok);
    }
    case "numeric": {
      const tolerance = arg !== undefined ? Number(arg) : options.tolerance ?? 0;
      if (!(tolerance >= 0)) throw invalid(`numeric:${arg}: the tolerance must be a number of at least 0.`);
      return simple((row) => {
        needExpected(row, "numeric");
        if (numberOf(row.expected) === undefined) throw rowProblem(row, "the numeric scorer needs expected to be a number");
      }, (answer, row) => {
        const got = lastNumber(answer);
        // A hair over the tolerance for the float error of the subtraction itself.
        return got !== undefined && Math.abs(got - numberOf(row.expected)!) <= tolerance + 1e-9 * Math.max(1, Math.abs(got));
      });
    }
    case "judge": {
      const judge = options.judge;
      if (!arg) throw invalid("judge:MODEL names the model that grades, e.g. judge:gpt-4o.");
      if (!judge) throw invalid("The judge scorer needs a gateway to call its model through.");
      return {
        name: spec,
        check: (row) => needExpected(row, "judge"),
        score: (answer, row, input) => gradeWithJudge(judge, arg, { input, expected: expectedText(row), answer }),
      };
    }
    default:
      throw invalid(`Unknown scorer '${spec}': use one of ${SCORER_NAMES.join(", ")}.`);
  }
}
