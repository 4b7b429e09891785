/**
 * The prompt registry on either SQL engine, through the Kysely instance the
 * SQL store already holds (one pool, one migration set: 0012-prompts.ts).
 */
import type { ColumnType, Kysely, Selectable } from "kysely";
import type { PromptSource, PromptStore, StoredLabel, StoredPrompt, StoredPromptEval } from "./types.js";

// pg returns Date for timestamptz, better-sqlite3 the text stored.
type Timestamp = ColumnType<string | Date, string, string>;

interface PromptsTable {
  name: string;
  version: number;
  created_at: Timestamp;
  source: string;
  created_by: string | null;
  template: string;
}

interface PromptLabelsTable {
  name: string;
  label: string;
  version: number;
  updated_at: Timestamp;
}

interface PromptEvalsTable {
  id: string;
  prompt: string;
  created_at: Timestamp;
  report: string;
}

export interface PromptsDatabase {
  prompts: PromptsTable;
  prompt_labels: PromptLabelsTable;
  prompt_evals: PromptEvalsTable;
}

/** A PromptStore on `db`, which must be migrated; the SQL stores hand over their own instance, whatever its table types. */
export function sqlPromptStore<DB>(db: Kysely<DB>): PromptStore {
  return new SqlPromptStore(db as unknown as Kysely<PromptsDatabase>);
}

const iso = (v: string | Date): string => (v instanceof Date ? v : new Date(v)).toISOString();

function decodePrompt(row: Selectable<PromptsTable>): StoredPrompt {
  return {
    name: row.name,
    version: Number(row.version),
    created_at: iso(row.created_at),
    source: row.source as PromptSource,
    created_by: row.created_by,
    template: JSON.parse(row.template) as Record<string, unknown>,
  };
}

function decodeLabel(row: Selectable<PromptLabelsTable>): StoredLabel {
  return { name: row.name, label: row.label, version: Number(row.version), updated_at: iso(row.updated_at) };
}

class SqlPromptStore implements PromptStore {
  constructor(private readonly db: Kysely<PromptsDatabase>) {}

  async latest(name: string, source?: PromptSource): Promise<StoredPrompt | undefined> {
    let select = this.db.selectFrom("prompts").selectAll().where("name", "=", name);
    if (source !== undefined) select = select.where("source", "=", source);
    const row = await select.orderBy("version", "desc").limit(1).executeTakeFirst();
    return row && decodePrompt(row);
  }

  async get(name: string, version: number): Promise<StoredPrompt | undefined> {
    const row = await this.db.selectFrom("prompts").selectAll().where("name", "=", name).where("version", "=", version).executeTakeFirst();
    return row && decodePrompt(row);
  }

  async list(): Promise<StoredPrompt[]> {
    const rows = await this.db.selectFrom("prompts as p").selectAll("p")
      .where(({ eb, selectFrom }) => eb("p.version", "=", selectFrom("prompts as v").select(({ fn }) => fn.max("v.version").as("m")).whereRef("v.name", "=", "p.name")))
      .orderBy("p.name").execute();
    return rows.map(decodePrompt);
  }

  async versions(name?: string): Promise<Map<string, number[]>> {
    let select = this.db.selectFrom("prompts").select(["name", "version"]);
    if (name !== undefined) select = select.where("name", "=", name);
    const out = new Map<string, number[]>();
    for (const r of await select.orderBy("name").orderBy("version").execute()) {
      const list = out.get(r.name) ?? [];
      list.push(Number(r.version));
      out.set(r.name, list);
    }
    return out;
  }

  async add(p: StoredPrompt): Promise<boolean> {
    const inserted = await this.db.insertInto("prompts")
      .values({ name: p.name, version: p.version, created_at: p.created_at, source: p.source, created_by: p.created_by, template: JSON.stringify(p.template) })
      .onConflict((oc) => oc.columns(["name", "version"]).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async labels(name?: string): Promise<StoredLabel[]> {
    let select = this.db.selectFrom("prompt_labels").selectAll();
    if (name !== undefined) select = select.where("name", "=", name);
    return (await select.orderBy("name").orderBy("label").execute()).map(decodeLabel);
  }

  async setLabel(l: StoredLabel): Promise<void> {
    await this.db.insertInto("prompt_labels")
      .values({ name: l.name, label: l.label, version: l.version, updated_at: l.updated_at })
      .onConflict((oc) => oc.columns(["name", "label"]).doUpdateSet({ version: l.version, updated_at: l.updated_at }))
      .execute();
  }

  async deleteLabel(name: string, label: string): Promise<boolean> {
    const r = await this.db.deleteFrom("prompt_labels").where("name", "=", name).where("label", "=", label).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async saveEval(e: StoredPromptEval): Promise<void> {
    await this.db.insertInto("prompt_evals")
      .values({ id: e.id, prompt: e.prompt, created_at: e.created_at, report: JSON.stringify(e.report) })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async listEvals(prompt: string, limit: number): Promise<StoredPromptEval[]> {
    const rows = await this.db.selectFrom("prompt_evals").selectAll().where("prompt", "=", prompt)
      .orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => ({ id: r.id, prompt: r.prompt, created_at: iso(r.created_at), report: JSON.parse(r.report) as Record<string, unknown> }));
  }
}
