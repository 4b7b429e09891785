/**
 * The workflow format (DESIGN.md §7 "Workflows"), as zod schemas: strict,
 * so an unknown or misspelt field is refused with its path. What the
 * schemas cannot see — templates, references between steps, models — is
 * checked by ./compile.ts.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { WorkflowError, type Problem } from "./workflow-error.js";

export const INPUT_TYPES = ["string", "number", "boolean", "object"] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Names appear in URL paths: letters, digits, `_ . -`. */
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Step, group and input ids appear in expressions (`steps.id.output`): identifiers. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const identifier = (what: string) => z.string().regex(IDENTIFIER, `a ${what} is letters, digits and _ (not starting with a digit), at most 64 characters`);

const DAY_MS = 86_400_000;
const ms = z.number().int().positive().max(DAY_MS);

export const MAX_STEPS = 100;
export const MAX_PARALLEL = 20;

const inputSchema = z.strictObject({
  type: z.enum(INPUT_TYPES),
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

const messageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

/** The chat parameters a step may set, passed to the model as they are (the gateway checks them again per call). */
export const chatParameters = {
  temperature: z.number().min(0).max(2),
  top_p: z.number().min(0).max(1),
  max_tokens: z.number().int().positive(),
  max_completion_tokens: z.number().int().positive(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]),
  presence_penalty: z.number().min(-2).max(2),
  frequency_penalty: z.number().min(-2).max(2),
  seed: z.number().int(),
  logit_bias: z.record(z.string(), z.number()),
  response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]),
  user: z.string(),
} as const;
export const CHAT_PARAMETERS = Object.keys(chatParameters) as (keyof typeof chatParameters)[];

const stepSchema = z.strictObject({
  id: identifier("step id"),
  description: z.string().optional(),
  model: z.string().min(1),
  prompt: z.string().optional(),
  messages: z.array(messageSchema).min(1).optional(),
  system: z.string().optional(),
  when: z.string().min(1).optional(),
  output: z.strictObject({
    json: z.boolean().optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
  }).optional(),
  retry: z.strictObject({ max_attempts: z.number().int().min(1).max(10) }).optional(),
  timeout_ms: ms.optional(),
  continue_on_error: z.boolean().optional(),
  ...Object.fromEntries(CHAT_PARAMETERS.map((k) => [k, chatParameters[k].optional()])) as { [K in keyof typeof chatParameters]: z.ZodOptional<(typeof chatParameters)[K]> },
}).superRefine((s, ctx) => {
  if ((s.prompt === undefined) === (s.messages === undefined)) {
    ctx.addIssue({ code: "custom", path: ["prompt"], message: "a step has either `prompt` or `messages` (one of them)" });
  }
  if (s.output?.schema !== undefined && s.output.json !== true) {
    ctx.addIssue({ code: "custom", path: ["output", "schema"], message: "a schema needs `json: true`" });
  }
});

const groupSchema = z.strictObject({
  id: identifier("group id").optional(),
  parallel: z.array(z.unknown()).min(1).max(MAX_PARALLEL),
});

const workflowSchema = z.strictObject({
  name: z.string().regex(WORKFLOW_NAME, "a workflow name is letters, digits, _ . - (starting with a letter or digit), at most 128 characters"),
  description: z.string().optional(),
  inputs: z.record(identifier("input name"), inputSchema).optional(),
  steps: z.array(z.unknown()).min(1),
  outputs: z.record(z.string().min(1), z.string()).optional(),
  timeout_ms: ms.optional(),
});

export type StepDef = z.infer<typeof stepSchema>;
export type InputDef = z.infer<typeof inputSchema>;
export interface GroupDef { id?: string; parallel: StepDef[] }
export type ItemDef = StepDef | GroupDef;
export type WorkflowDef = Omit<z.infer<typeof workflowSchema>, "steps"> & { steps: ItemDef[] };

/** `steps[1].parallel[0].model` from zod's path. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else {
      const k = String(key);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? (out ? `.${k}` : k) : `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[]): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    // An unknown field: name it in the path, as the other problems are named.
    if (issue.code === "unrecognized_keys") {
      return { path: pathText([...path, issue.keys[0]!]), message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(", ")}` : ""}` };
    }
    return { path: pathText(path) || "(workflow)", message: issue.message };
  });
}

const isGroup = (item: unknown): boolean => item !== null && typeof item === "object" && !Array.isArray(item) && Object.hasOwn(item, "parallel");

/** A workflow object checked against the format; a WorkflowError naming every problem's path. */
export function parseDefinition(input: unknown): WorkflowDef {
  const top = workflowSchema.safeParse(input);
  if (!top.success) throw new WorkflowError(problemsOf(top.error, []));
  const problems: Problem[] = [];
  const steps: ItemDef[] = [];
  const step = (value: unknown, path: PropertyKey[]): StepDef | undefined => {
    const r = stepSchema.safeParse(value);
    if (r.success) return r.data;
    problems.push(...problemsOf(r.error, path));
    return undefined;
  };
  top.data.steps.forEach((item, i) => {
    if (!isGroup(item)) {
      const s = step(item, ["steps", i]);
      if (s) steps.push(s);
      return;
    }
    const g = groupSchema.safeParse(item);
    if (!g.success) {
      problems.push(...problemsOf(g.error, ["steps", i]));
      return;
    }
    const members = g.data.parallel.map((m, j) => (isGroup(m)
      ? (problems.push({ path: pathText(["steps", i, "parallel", j]), message: "a parallel group cannot hold another group" }), undefined)
      : step(m, ["steps", i, "parallel", j])));
    if (members.every((m) => m !== undefined)) steps.push({ ...(g.data.id === undefined ? {} : { id: g.data.id }), parallel: members as StepDef[] });
  });
  const count = steps.reduce((n, s) => n + ("parallel" in s ? s.parallel.length : 1), 0);
  if (count > MAX_STEPS) problems.push({ path: "steps", message: `at most ${MAX_STEPS} steps in a workflow` });
  if (problems.length) throw new WorkflowError(problems);
  return { ...top.data, steps };
}

/** YAML (or JSON, which is YAML) text → a workflow object, unchecked. */
export function parseWorkflowText(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new WorkflowError(doc.errors.map((e) => ({ path: "(yaml)", message: e.message.split("\n")[0]! })));
  return doc.toJS({ maxAliasCount: 100 });
}
