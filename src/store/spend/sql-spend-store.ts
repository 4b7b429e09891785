/**
 * The spend table on SQLite and PostgreSQL: one set of Kysely queries.
 * The table comes from migration 0005, which the main Store's migrate() runs;
 * this store only reads and writes it.
 *
 * It takes any Kysely handle on the database: the main store's, or one of
 * its own (open-spend-store.ts).
 */
import type { ColumnType, Kysely } from "kysely";
import { canonical, validDelta } from "./memory-spend-store.js";
import type { SpendDelta, SpendPeriod, SpendRow, SpendStore } from "./types.js";

/** The spend table as Kysely sees it (SQLite returns timestamps as text, pg as Date). */
export interface SpendTable {
  subject: string;
  period: SpendPeriod;
  period_start: ColumnType<string | Date, string, string>;
  usd: number;
  updated_at: ColumnType<string | Date, string, string>;
}

export interface SpendDatabase {
  spend: SpendTable;
}

// Five columns a row: far below both engines' bind-parameter limits.
const ROWS_PER_INSERT = 1_000;

export class SqlSpendStore implements SpendStore {
  readonly #db: Kysely<SpendDatabase>;
  readonly #owned: boolean;

  /** `owned`: close() destroys the handle (true when this store opened it). */
  constructor(db: Kysely<SpendDatabase>, options: { owned?: boolean } = {}) {
    this.#db = db;
    this.#owned = options.owned ?? false;
  }

  async addSpend(deltas: readonly SpendDelta[], now: Date = new Date()): Promise<void> {
    if (deltas.length === 0) return;
    // One row per key: PostgreSQL refuses an upsert that touches the same row twice in one statement.
    const merged = new Map<string, SpendDelta>();
    for (const d of deltas.map(validDelta)) {
      const key = `${d.subject}\u0000${d.period}\u0000${d.period_start}`;
      const m = merged.get(key);
      if (m) m.usd += d.usd;
      else merged.set(key, { ...d });
    }
    const at = now.toISOString();
    const rows = [...merged.values()].map((d) => ({ ...d, updated_at: at }));
    const upsert = (db: Kysely<SpendDatabase>, chunk: typeof rows) =>
      db.insertInto("spend").values(chunk)
        .onConflict((oc) => oc.columns(["subject", "period", "period_start"]).doUpdateSet((eb) => ({
          usd: eb("spend.usd", "+", eb.ref("excluded.usd")),
          updated_at: eb.ref("excluded.updated_at"),
        })))
        .execute();
    if (rows.length <= ROWS_PER_INSERT) {
      await upsert(this.#db, rows);
      return;
    }
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await upsert(trx, rows.slice(i, i + ROWS_PER_INSERT));
    });
  }

  async current(starts: Partial<Record<SpendPeriod, string>>): Promise<SpendRow[]> {
    const pairs = Object.entries(starts).map(([period, start]) => [period as SpendPeriod, canonical(start)] as const);
    if (pairs.length === 0) return [];
    const rows = await this.#db.selectFrom("spend").selectAll()
      .where((eb) => eb.or(pairs.map(([period, start]) => eb.and([eb("period", "=", period), eb("period_start", "=", start)]))))
      .execute();
    return rows.map(decode);
  }

  async forSubject(subject: string): Promise<SpendRow[]> {
    const rows = await this.#db.selectFrom("spend").selectAll().where("subject", "=", subject)
      .orderBy("period_start", "desc").orderBy("period").execute();
    return rows.map(decode);
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#db.destroy();
  }
}

function decode(row: { subject: string; period: SpendPeriod; period_start: string | Date; usd: number; updated_at: string | Date }): SpendRow {
  return { subject: row.subject, period: row.period, period_start: canonical(row.period_start), usd: Number(row.usd), updated_at: canonical(row.updated_at) };
}
