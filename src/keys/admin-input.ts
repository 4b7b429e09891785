/**
 * The admin API's request bodies for keys and teams (DESIGN.md §2), as zod
 * schemas. Strict objects: a misspelt field ("budget" for "budget_usd")
 * is a 400 naming it, not a limit silently left unset.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import { BUDGET_PERIODS, ROLES } from "../store/keys/types.js";

const positiveInt = z.number().int().positive().max(2 ** 31 - 1);

const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 timestamp")
  .transform((s) => new Date(s).toISOString());

/** The limit fields keys and teams share; null clears a limit on update. */
const limitFields = {
  models: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  /** MCP tools (globs over `SERVER__tool`); null = every tool, [] = none. */
  mcp_tools: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  rpm: positiveInt.nullable().optional(),
  tpm: positiveInt.nullable().optional(),
  max_parallel: positiveInt.nullable().optional(),
  budget_usd: z.number().nonnegative().max(1e12).nullable().optional(),
  budget_period: z.enum(BUDGET_PERIODS).nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
};

const name = z.string().trim().min(1).max(200);

export const createKeyInput = z.strictObject({
  name,
  team_id: z.string().min(1).nullable().optional(),
  role: z.enum(ROLES).optional(),
  ...limitFields,
  expires_at: timestamp.nullable().optional(),
});
export type CreateKeyInput = z.infer<typeof createKeyInput>;

export const updateKeyInput = createKeyInput.partial();
export type UpdateKeyInput = z.infer<typeof updateKeyInput>;

export const createTeamInput = z.strictObject({ name, ...limitFields });
export type CreateTeamInput = z.infer<typeof createTeamInput>;

export const updateTeamInput = createTeamInput.partial();
export type UpdateTeamInput = z.infer<typeof updateTeamInput>;

/** Parses a body, or throws an OpenAI-shaped 400 naming the first offending field in `param`. */
export function parseInput<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const param = unknownKeys[0] ?? (issue.path.length ? issue.path.map(String).join(".") : null);
  const message = unknownKeys.length
    ? `Unknown field${unknownKeys.length > 1 ? "s" : ""}: ${unknownKeys.join(", ")}.`
    : `Invalid ${param ?? "body"}: ${issue.message}.`;
  throw new GatewayError("invalid_request", message, { param });
}
