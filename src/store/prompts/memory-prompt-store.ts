/**
 * The prompt registry in Maps: the memory store's, the fallback of a
 * gateway without a database, and the reference the SQL store is tested
 * against (test/prompts/prompt-store.test.ts runs one suite on all).
 * Documents are copied in and out, as a database would.
 */
import type { PromptSource, PromptStore, StoredLabel, StoredPrompt, StoredPromptEval } from "./types.js";

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class MemoryPromptStore implements PromptStore {
  readonly #prompts = new Map<string, StoredPrompt[]>();
  readonly #labels = new Map<string, StoredLabel>();
  readonly #evals = new Map<string, StoredPromptEval>();

  async latest(name: string, source?: PromptSource): Promise<StoredPrompt | undefined> {
    const found = this.#prompts.get(name)?.filter((p) => source === undefined || p.source === source).at(-1);
    return found && structuredClone(found);
  }

  async get(name: string, version: number): Promise<StoredPrompt | undefined> {
    const found = this.#prompts.get(name)?.find((p) => p.version === version);
    return found && structuredClone(found);
  }

  async list(): Promise<StoredPrompt[]> {
    return [...this.#prompts.values()].map((v) => structuredClone(v.at(-1)!)).sort(byName);
  }

  async versions(name?: string): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const n of [...this.#prompts.keys()].sort()) {
      if (name === undefined || n === name) out.set(n, this.#prompts.get(n)!.map((p) => p.version));
    }
    return out;
  }

  async add(prompt: StoredPrompt): Promise<boolean> {
    const versions = this.#prompts.get(prompt.name) ?? [];
    if (versions.some((p) => p.version === prompt.version)) return false;
    versions.push(structuredClone(prompt));
    versions.sort((a, b) => a.version - b.version);
    this.#prompts.set(prompt.name, versions);
    return true;
  }

  async labels(name?: string): Promise<StoredLabel[]> {
    const out = [...this.#labels.values()].filter((l) => name === undefined || l.name === name);
    return structuredClone(out.sort((a, b) => byName(a, b) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)));
  }

  async setLabel(label: StoredLabel): Promise<void> {
    this.#labels.set(`${label.name}\u0000${label.label}`, structuredClone(label));
  }

  async deleteLabel(name: string, label: string): Promise<boolean> {
    return this.#labels.delete(`${name}\u0000${label}`);
  }

  async saveEval(report: StoredPromptEval): Promise<void> {
    if (!this.#evals.has(report.id)) this.#evals.set(report.id, structuredClone(report));
  }

  async listEvals(prompt: string, limit: number): Promise<StoredPromptEval[]> {
    const out = [...this.#evals.values()].filter((e) => e.prompt === prompt)
      .sort((a, b) => (a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return structuredClone(out.slice(0, limit));
  }
}
