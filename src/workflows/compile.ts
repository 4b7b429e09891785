/**
 * A checked workflow ready to run: the format (./definition.ts), then what
 * the format cannot say — every template and condition parses, names only
 * declared inputs and steps that ran before it (never a later step, its own
 * parallel group, or itself: a cycle), JSON fields only of JSON outputs;
 * step ids are unique; each model is one the gateway can route; schemas and
 * defaults are valid. Every problem is reported with its path.
 */
import { z } from "zod";
import { ExpressionError, parseExpression, pathsIn, type Expr, type Path } from "./expression.js";
import { CHAT_PARAMETERS, parseDefinition, type InputDef, type StepDef, type WorkflowDef } from "./definition.js";
import { typeProblem } from "./inputs.js";
import { compileTemplate, templatePaths, type Template } from "./template.js";
import { WorkflowError, type Problem } from "./workflow-error.js";

export interface CompiledStep {
  def: StepDef;
  /** Where it is in the file: `steps[1]`, `steps[2].parallel[0]`. */
  path: string;
  /** Its place in the run: the index of the top-level item (a group's members share it). */
  position: number;
  /** The messages sent, as templates: `system` first, then `prompt` as a user message, or `messages`. */
  messages: { role: "system" | "user" | "assistant"; content: Template }[];
  when: Expr | undefined;
  /** The JSON schema the output must fit (output.schema). */
  schema: z.ZodType | undefined;
  /** Chat parameters sent as they are. */
  params: Record<string, unknown>;
}

export type CompiledItem =
  | { kind: "step"; step: CompiledStep }
  | { kind: "parallel"; id: string | undefined; steps: CompiledStep[] };

export interface CompiledWorkflow {
  def: WorkflowDef;
  name: string;
  inputs: Record<string, InputDef>;
  items: CompiledItem[];
  /** Every step, in file order. */
  steps: CompiledStep[];
  outputs: [string, Template][];
  timeoutMs: number | undefined;
}

export interface CompileOptions {
  /** Why a model name cannot be used (the gateway cannot route it), or undefined when it can. */
  modelProblem?: (model: string) => string | undefined;
}

const STEP_FIELDS = new Set(["output", "status", "error"]);

interface Reader { path: string; paths: Path[]; position: number; owner: string | null }

/** Parses and checks a workflow (an object: YAML already read); throws a WorkflowError listing every problem. */
export function compileWorkflow(input: unknown, options: CompileOptions = {}): CompiledWorkflow {
  const def = parseDefinition(input);
  const problems: Problem[] = [];
  const inputs = def.inputs ?? {};
  for (const [name, d] of Object.entries(inputs)) {
    if (d.default === undefined) continue;
    const problem = typeProblem(d.type, d.default);
    if (problem) problems.push({ path: `inputs.${name}.default`, message: problem });
  }

  // Steps in order, ids checked for duplicates (group ids share the namespace).
  const items: CompiledItem[] = [];
  const steps: CompiledStep[] = [];
  const byId = new Map<string, { path: string; step?: CompiledStep }>();
  const claim = (id: string, path: string) => {
    const seen = byId.get(id);
    if (seen) problems.push({ path: `${path}.id`, message: `duplicate id '${id}' (also ${seen.path})` });
    else byId.set(id, { path });
  };
  const readers: Reader[] = [];
  const template = (text: string, path: string, position: number, owner: string | null): Template => {
    try {
      const t = compileTemplate(text);
      readers.push({ path, paths: templatePaths(t), position, owner });
      return t;
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ path, message: err.message });
      return { parts: [] };
    }
  };
  const compileStep = (s: StepDef, path: string, position: number): CompiledStep => {
    claim(s.id, path);
    const messages: CompiledStep["messages"] = [];
    if (s.system !== undefined) messages.push({ role: "system", content: template(s.system, `${path}.system`, position, s.id) });
    if (s.prompt !== undefined) messages.push({ role: "user", content: template(s.prompt, `${path}.prompt`, position, s.id) });
    s.messages?.forEach((m, i) => messages.push({ role: m.role, content: template(m.content, `${path}.messages[${i}].content`, position, s.id) }));
    let when: Expr | undefined;
    if (s.when !== undefined) {
      try {
        when = parseExpression(s.when);
        readers.push({ path: `${path}.when`, paths: pathsIn(when), position, owner: s.id });
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        problems.push({ path: `${path}.when`, message: err.message });
      }
    }
    let schema: z.ZodType | undefined;
    if (s.output?.schema !== undefined) {
      try {
        schema = z.fromJSONSchema(s.output.schema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (err) {
        problems.push({ path: `${path}.output.schema`, message: `not a JSON schema this gateway can check: ${(err as Error).message}` });
      }
    }
    const modelProblem = options.modelProblem?.(s.model);
    if (modelProblem) problems.push({ path: `${path}.model`, message: modelProblem });
    const params: Record<string, unknown> = {};
    for (const k of CHAT_PARAMETERS) if (s[k] !== undefined) params[k] = s[k];
    const step: CompiledStep = { def: s, path, position, messages, when, schema, params };
    byId.get(s.id)!.step ??= step;
    steps.push(step);
    return step;
  };
  def.steps.forEach((item, i) => {
    if ("parallel" in item) {
      if (item.id !== undefined) claim(item.id, `steps[${i}]`);
      items.push({ kind: "parallel", id: item.id, steps: item.parallel.map((s, j) => compileStep(s, `steps[${i}].parallel[${j}]`, i)) });
    } else {
      items.push({ kind: "step", step: compileStep(item, `steps[${i}]`, i) });
    }
  });
  const outputs: [string, Template][] = Object.entries(def.outputs ?? {}).map(([name, text]) =>
    [name, template(text, `outputs${/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`, Infinity, null)]);

  checkReferences(readers, byId, inputs, problems);
  if (problems.length) throw new WorkflowError(problems);
  return { def, name: def.name, inputs, items, steps, outputs, timeoutMs: def.timeout_ms };
}

function checkReferences(readers: Reader[], byId: Map<string, { path: string; step?: CompiledStep }>, inputs: Record<string, InputDef>, problems: Problem[]): void {
  // Which steps each step reads: to tell a cycle from a plain forward reference.
  const reads = new Map<string, Set<string>>();
  for (const r of readers) {
    if (r.owner === null) continue;
    const set = reads.get(r.owner) ?? new Set<string>();
    for (const p of r.paths) if (p.root === "steps" && typeof p.keys[0] === "string") set.add(p.keys[0]);
    reads.set(r.owner, set);
  }
  const cycleFrom = (from: string, to: string): string[] | undefined => {
    const seen = new Set<string>();
    const walk = (at: string, trail: string[]): string[] | undefined => {
      if (at === to) return trail;
      if (seen.has(at)) return undefined;
      seen.add(at);
      for (const next of reads.get(at) ?? []) {
        const found = walk(next, [...trail, next]);
        if (found) return found;
      }
      return undefined;
    };
    return walk(from, [from]);
  };
  for (const r of readers) {
    for (const p of r.paths) {
      const problem = pathProblem(p, r, byId, inputs, cycleFrom);
      if (problem) problems.push({ path: r.path, message: problem });
    }
  }
}

function pathProblem(
  p: Path, r: Reader, byId: Map<string, { path: string; step?: CompiledStep }>, inputs: Record<string, InputDef>,
  cycleFrom: (from: string, to: string) => string[] | undefined,
): string | undefined {
  const [first, field, ...rest] = p.keys;
  if (p.root === "inputs") {
    if (first === undefined) return "name an input: inputs.NAME";
    if (typeof first !== "string" || !Object.hasOwn(inputs, first)) return `names the input '${String(first)}', which the workflow does not declare under inputs:`;
    return undefined;
  }
  if (first === undefined) return "name a step: steps.ID.output";
  const id = String(first);
  const target = byId.get(id);
  if (!target) return `names the step '${id}', which does not exist`;
  if (!target.step) return `'${id}' is a parallel group: name one of its steps`;
  if (field === undefined || typeof field !== "string" || !STEP_FIELDS.has(field)) return `steps.${id} has output, status and error: write steps.${id}.output`;
  const step = target.step;
  if (field === "output" && rest.length > 0 && step.def.output?.json !== true) {
    return `steps.${id}.output is text: only a JSON output (output: {json: true}) has fields`;
  }
  if (r.owner === null || step.position < r.position) return undefined;
  if (r.owner === id) return `a step cannot read its own ${field} (a cycle: ${id} → ${id})`;
  const cycle = cycleFrom(id, r.owner);
  if (cycle) return `a cycle: ${[r.owner, ...cycle].join(" → ")}`;
  if (step.position === r.position) return `names the step '${id}', which runs in the same parallel group, so it has not finished yet`;
  return `names the step '${id}', which comes later (${target.path})`;
}
