/**
 * Stored responses on either SQL engine, through the Kysely instance the
 * SQL store already holds (one pool, one migration set: 0008-responses.ts).
 * A conversation is one recursive query along previous_response_id, which
 * SQLite and PostgreSQL write the same way.
 */
import { sql, type ColumnType, type Kysely, type Selectable } from "kysely";
import { pageOf } from "./item-page.js";
import {
  MAX_CHAIN, type Conversation, type ItemPage, type ItemPageQuery, type ResponseStore, type StoredItem, type StoredResponse,
} from "./types.js";

interface ResponsesTable {
  id: string;
  owner: string;
  // pg returns Date, better-sqlite3 the text stored.
  created_at: ColumnType<string | Date, string, never>;
  previous_response_id: string | null;
  input: string;
  response: string;
}

interface ResponseItemsTable {
  item_id: string;
  response_id: string;
}

export interface ResponsesDatabase {
  responses: ResponsesTable;
  response_items: ResponseItemsTable;
}

type Row = Selectable<ResponsesTable>;

/** Item ids per statement (2 values a row in an INSERT): far below either engine's bind limit. */
const ITEM_ROWS_PER_INSERT = 1_000;
/** Responses per retention statement, so a sweep never holds a lock for long. */
const RETENTION_BATCH = 500;

/** A ResponseStore on `db`, which must be migrated; the SQL stores hand over their own instance, whatever its table types. */
export function sqlResponseStore<DB>(db: Kysely<DB>): ResponseStore {
  return new SqlResponseStore(db as unknown as Kysely<ResponsesDatabase>);
}

const iso = (v: string | Date): string => (v instanceof Date ? v : new Date(v)).toISOString();

function decode(row: Row): StoredResponse {
  return {
    id: row.id,
    owner: row.owner,
    created_at: iso(row.created_at),
    previous_response_id: row.previous_response_id,
    input: JSON.parse(row.input) as StoredItem[],
    response: JSON.parse(row.response) as StoredResponse["response"],
  };
}

class SqlResponseStore implements ResponseStore {
  constructor(private readonly db: Kysely<ResponsesDatabase>) {}

  async save(r: StoredResponse): Promise<void> {
    const itemIds = [...new Set([...r.input, ...r.response.output].map((i) => i.id))];
    await this.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto("responses")
        .values({
          id: r.id, owner: r.owner, created_at: r.created_at, previous_response_id: r.previous_response_id,
          input: JSON.stringify(r.input), response: JSON.stringify(r.response),
        })
        .onConflict((oc) => oc.column("id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return;
      for (let i = 0; i < itemIds.length; i += ITEM_ROWS_PER_INSERT) {
        const rows = itemIds.slice(i, i + ITEM_ROWS_PER_INSERT).map((item_id) => ({ item_id, response_id: r.id }));
        await trx.insertInto("response_items").values(rows).onConflict((oc) => oc.columns(["item_id", "response_id"]).doNothing()).execute();
      }
    });
  }

  #find(owner: string, id: string, since: string | undefined) {
    let q = this.db.selectFrom("responses").selectAll().where("id", "=", id).where("owner", "=", owner);
    if (since !== undefined) q = q.where("created_at", ">=", since);
    return q.executeTakeFirst();
  }

  async get(owner: string, id: string, since?: string): Promise<StoredResponse["response"] | undefined> {
    const row = await this.#find(owner, id, since);
    return row && decode(row).response;
  }

  async inputItems(owner: string, id: string, query: ItemPageQuery, since?: string): Promise<ItemPage | undefined> {
    // A response's input is bounded by the request body that carried it: paged here rather than in SQL.
    const row = await this.#find(owner, id, since);
    return row && pageOf(decode(row).input, query);
  }

  async conversation(owner: string, id: string, since?: string): Promise<Conversation> {
    const notBefore = since === undefined ? sql`` : sql` and r.created_at >= ${since}`;
    // The chain walked back from `id`; a link that is not the owner's (or is gone) ends it, and is reported below.
    const found = await sql<Row & { depth: number }>`
      with recursive chain (id, owner, created_at, previous_response_id, input, response, depth) as (
        select r.id, r.owner, r.created_at, r.previous_response_id, r.input, r.response, 0
          from responses r where r.id = ${id} and r.owner = ${owner}${notBefore}
        union all
        select r.id, r.owner, r.created_at, r.previous_response_id, r.input, r.response, c.depth + 1
          from responses r join chain c on r.id = c.previous_response_id
          where r.owner = ${owner} and c.depth < ${MAX_CHAIN - 1}${notBefore}
      )
      select id, owner, created_at, previous_response_id, input, response, depth from chain order by depth desc`.execute(this.db);
    const rows = found.rows;
    if (rows.length === 0) return { missing: id };
    const oldest = rows[0]!;
    if (oldest.previous_response_id !== null && rows.length < MAX_CHAIN) return { missing: oldest.previous_response_id };
    return { items: rows.map(decode).flatMap((r) => [...r.input, ...r.response.output]) };
  }

  async items(owner: string, ids: readonly string[], since?: string): Promise<Map<string, StoredItem>> {
    const out = new Map<string, StoredItem>();
    const rows: Row[] = [];
    // In slices: a request may reference more items than one statement may bind.
    for (let i = 0; i < ids.length; i += ITEM_ROWS_PER_INSERT) {
      let q = this.db.selectFrom("response_items as i")
        .innerJoin("responses as r", "r.id", "i.response_id")
        .selectAll("r")
        .where("i.item_id", "in", ids.slice(i, i + ITEM_ROWS_PER_INSERT))
        .where("r.owner", "=", owner);
      if (since !== undefined) q = q.where("r.created_at", ">=", since);
      rows.push(...await q.execute());
    }
    // Each response once (it matched once per wanted item it holds), oldest first: a later response holding the same id wins.
    const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
    unique.sort((a, b) => iso(a.created_at).localeCompare(iso(b.created_at)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const wanted = new Set(ids);
    for (const row of unique) {
      const r = decode(row);
      for (const item of [...r.input, ...r.response.output]) if (wanted.has(item.id)) out.set(item.id, item);
    }
    return out;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom("responses").where("id", "=", id).where("owner", "=", owner).executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return false;
      await trx.deleteFrom("response_items").where("response_id", "=", id).execute();
      return true;
    });
  }

  async deleteOlderThan(before: string): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = (await this.db.selectFrom("responses").select("id").where("created_at", "<", before)
        .orderBy("created_at").limit(RETENTION_BATCH).execute()).map((r) => r.id);
      if (ids.length === 0) return total;
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom("response_items").where("response_id", "in", ids).execute();
        await trx.deleteFrom("responses").where("id", "in", ids).execute();
      });
      total += ids.length;
      if (ids.length < RETENTION_BATCH) return total;
    }
  }
}
