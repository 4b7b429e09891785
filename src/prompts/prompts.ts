/**
 * The prompt registry of one gateway (DESIGN.md §7, docs/prompts.md):
 * versions stored in the database (immutable; POST adds version n+1),
 * labels moved between them, the `prompts/<name>.yaml` files synced at
 * start, completions rendered from a version and sent through the engine
 * like any chat call (with the prompt and version in the log row), and the
 * reports of evaluations. The HTTP routes, the CLI and the library all go
 * through this class; the engine is used only through its public calls.
 */
import { GatewayError } from "../core/errors.js";
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/types.js";
import type { CallOptions } from "../engine/call-options.js";
import type { Engine, Result, StreamResult } from "../engine/engine.js";
import { MemoryPromptStore } from "../store/prompts/memory-prompt-store.js";
import type { PromptSource, PromptStore, StoredPrompt, StoredPromptEval } from "../store/prompts/types.js";
import { chatRequestFor, parseCompletionBody } from "./completion.js";
import { LABEL_NAME, parsePromptInput, PROMPT_NAME, sameTemplate, templateOf, toTemplate, type PromptInput, type PromptTemplate } from "./definition.js";
import { PromptError, promptNotFound, type PromptProblem } from "./prompt-error.js";
import { promptsDir, readPromptDir, type PromptFile } from "./prompt-files.js";

/** The label a completion uses when it names neither version nor label. */
export const DEFAULT_LABEL = "production";
/** Concurrent writers each take the next version; past this many collisions in a row, the writer gives up with a 409. */
const ADD_TRIES = 5;

export interface VersionView extends PromptTemplate {
  version: number;
  created_at: string;
}

export interface PromptView {
  name: string;
  latest: VersionView;
  versions: number[];
  labels: Record<string, number>;
}

/** A version picked for a call: by number, by label, or the default. */
export interface ResolvedPrompt {
  name: string;
  version: number;
  template: PromptTemplate;
  label?: string;
}

const viewOf = (p: StoredPrompt): VersionView => ({ version: p.version, ...toTemplate(templateOf(p.template)), created_at: p.created_at });

export class Prompts {
  readonly engine: Engine;
  readonly #store: PromptStore;

  private constructor(engine: Engine, store: PromptStore) {
    this.engine = engine;
    this.#store = store;
  }

  /** The gateway's registry, with the files of ./prompts (or `dir`; null: none) checked and stored; throws a PromptError naming the file. */
  static async open(engine: Engine, options: { dir?: string | null } = {}): Promise<Prompts> {
    const p = new Prompts(engine, engine.store?.prompts?.() ?? new MemoryPromptStore());
    const dir = options.dir === null ? undefined : options.dir ?? promptsDir();
    if (dir !== undefined) await p.#sync(readPromptDir(dir));
    return p;
  }

  /**
   * A file whose prompt differs from the latest stored version becomes the
   * next version — unless the file is unchanged since it was last loaded:
   * then a version added since (by POST or the optimizer) stays the latest
   * instead of being pushed down by the file again at every start.
   */
  async #sync(files: PromptFile[]): Promise<void> {
    const seen = new Map<string, string>();
    for (const { file, input } of files) {
      const other = seen.get(input.name);
      if (other) throw new PromptError([{ path: "name", message: `'${input.name}' is also the name of ${other}` }], `in ${file}`);
      seen.set(input.name, file);
      const problem = this.#modelProblem(input.model);
      if (problem) throw new PromptError([problem], `in ${file}`);
    }
    for (const { input } of files) {
      const latest = await this.#store.latest(input.name);
      if (latest && sameTemplate(templateOf(latest.template), input)) continue;
      const loaded = latest?.source === "file" ? latest : await this.#store.latest(input.name, "file");
      if (loaded && sameTemplate(templateOf(loaded.template), input)) continue;
      // Another instance starting with the same files may have added this version first: same content, nothing lost.
      await this.#store.add(this.#entry(input, (latest?.version ?? 0) + 1, "file", null));
    }
  }

  #entry(input: PromptInput, version: number, source: PromptSource, createdBy: string | null): StoredPrompt {
    return { name: input.name, version, created_at: new Date().toISOString(), source, created_by: createdBy, template: toTemplate(input) as unknown as Record<string, unknown> };
  }

  #modelProblem(model: string | null): PromptProblem | undefined {
    if (model === null) return undefined;
    try {
      this.engine.router.resolve(model);
      return undefined;
    } catch (err) {
      return { path: "model", message: `the model '${model}' cannot be routed by this gateway: ${(err as Error).message}` };
    }
  }

  /** Checks and stores a new version (n+1 of an existing name, else 1). */
  async create(value: unknown, options: { createdBy?: string | null; source?: PromptSource } = {}): Promise<{ name: string; version: number }> {
    const input = parsePromptInput(value);
    const problem = this.#modelProblem(input.model);
    if (problem) throw new PromptError([problem]);
    for (let i = 0; i < ADD_TRIES; i++) {
      const version = ((await this.#store.latest(input.name))?.version ?? 0) + 1;
      if (await this.#store.add(this.#entry(input, version, options.source ?? "api", options.createdBy ?? null))) return { name: input.name, version };
    }
    throw new GatewayError("invalid_request", `Prompt '${input.name}' is being written by other requests at the same time; send it again.`, { status: 409, param: "name", clientCode: "prompt_conflict" });
  }

  async list(): Promise<PromptView[]> {
    const [latest, versions, labels] = await Promise.all([this.#store.list(), this.#store.versions(), this.#store.labels()]);
    return latest.map((p) => ({
      name: p.name, latest: viewOf(p), versions: versions.get(p.name) ?? [p.version],
      labels: Object.fromEntries(labels.filter((l) => l.name === p.name).map((l) => [l.label, l.version])),
    }));
  }

  /** The latest version, every version number and the labels. */
  async get(name: string): Promise<PromptView> {
    const latest = await this.#store.latest(name);
    if (!latest) throw promptNotFound(`Prompt '${name}'`);
    const [versions, labels] = await Promise.all([this.#store.versions(name), this.#store.labels(name)]);
    return { name, latest: viewOf(latest), versions: versions.get(name) ?? [latest.version], labels: Object.fromEntries(labels.map((l) => [l.label, l.version])) };
  }

  async version(name: string, version: number): Promise<VersionView & { name: string }> {
    const found = await this.#store.get(name, version);
    if (!found) throw promptNotFound((await this.#store.latest(name)) ? `Version ${version} of prompt '${name}'` : `Prompt '${name}'`);
    return { name, ...viewOf(found) };
  }

  /** Points `label` at an existing version (a version that does not exist is a 400 naming it). */
  async setLabel(name: string, label: string, version: unknown): Promise<{ name: string; label: string; version: number }> {
    if (!LABEL_NAME.test(label)) throw new GatewayError("invalid_request", "A label is letters, digits and _ . - (not starting with _ . -), at most 64 characters.", { param: "label" });
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
      throw new GatewayError("invalid_request", "version must be a version number (1, 2, …).", { param: "version" });
    }
    if (!(await this.#store.get(name, version))) {
      if (!(await this.#store.latest(name))) throw promptNotFound(`Prompt '${name}'`);
      throw new GatewayError("invalid_request", `Prompt '${name}' has no version ${version}.`, { param: "version", clientCode: "version_not_found" });
    }
    await this.#store.setLabel({ name, label, version, updated_at: new Date().toISOString() });
    return { name, label, version };
  }

  async deleteLabel(name: string, label: string): Promise<{ name: string; label: string; deleted: true }> {
    if (!(await this.#store.deleteLabel(name, label))) throw promptNotFound(`Label '${label}' of prompt '${name}'`);
    return { name, label, deleted: true };
  }

  /** A version by number or label; by default the `production` label's, else the latest. */
  async resolve(name: string, pick: { version?: number; label?: string } = {}): Promise<ResolvedPrompt> {
    if (!PROMPT_NAME.test(name)) throw promptNotFound(`Prompt '${name}'`);
    let label = pick.label;
    let version = pick.version;
    if (version === undefined) {
      const labels = await this.#store.labels(name);
      const found = labels.find((l) => l.label === (label ?? DEFAULT_LABEL));
      if (label !== undefined && !found) {
        throw promptNotFound((await this.#store.latest(name)) ? `Label '${label}' of prompt '${name}'` : `Prompt '${name}'`);
      }
      if (found) {
        version = found.version;
        label = found.label;
      }
    }
    const stored = version === undefined ? await this.#store.latest(name) : await this.#store.get(name, version);
    if (!stored) throw promptNotFound(version === undefined || !(await this.#store.latest(name)) ? `Prompt '${name}'` : `Version ${version} of prompt '${name}'`);
    return { name, version: stored.version, template: templateOf(stored.template), ...(label === undefined ? {} : { label }) };
  }

  /** The chat request a completion body asks for, and the call options that tag its log row. */
  async prepare(name: string, body: unknown, caller: CallOptions = {}): Promise<{ request: ChatRequest; options: CallOptions }> {
    const b = parseCompletionBody(body);
    const resolved = await this.resolve(name, { ...(b.version === undefined ? {} : { version: b.version }), ...(b.label === undefined ? {} : { label: b.label }) });
    const request = chatRequestFor(name, resolved.version, resolved.template, b);
    return { request, options: { ...caller, prompt: { name, version: resolved.version } } };
  }

  /** A whole completion of a prompt (`stream` in the body is ignored: see completeStream). */
  async complete(name: string, body: unknown, caller: CallOptions = {}): Promise<Result<ChatResponse>> {
    const { request, options } = await this.prepare(name, body, caller);
    return this.engine.chat({ ...request, stream: false }, options);
  }

  async completeStream(name: string, body: unknown, caller: CallOptions = {}): Promise<StreamResult<ChatChunk>> {
    const { request, options } = await this.prepare(name, body, caller);
    return this.engine.chatStream({ ...request, stream: true }, options);
  }

  async saveEval(report: StoredPromptEval): Promise<void> {
    await this.#store.saveEval(report);
  }

  /** A prompt's evaluation reports, newest first. */
  async evals(name: string, limit = 20): Promise<Record<string, unknown>[]> {
    const found = await this.#store.listEvals(name, limit);
    if (found.length === 0 && !(await this.#store.latest(name))) throw promptNotFound(`Prompt '${name}'`);
    return found.map((e) => ({ id: e.id, created_at: e.created_at, ...e.report }));
  }
}
