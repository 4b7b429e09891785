/**
 * KeyStore on either SQL engine through the Kysely instance a SQL store
 * already holds (one pool, one schema, one migration set). The engines
 * differ only in value shapes (timestamps, JSON), handled by the codec below.
 */
import type { ColumnType, Kysely, Selectable } from "kysely";
import type { SqlEngine } from "../migrations/column-types.js";
import {
  DuplicateError,
  type ApiKeyRecord,
  type BudgetPeriod,
  type KeyListQuery,
  type KeyPatch,
  type KeyStore,
  type Role,
  type TeamPatch,
  type TeamRecord,
} from "./types.js";

// Reads are unions where the drivers disagree: pg returns Date and parsed
// jsonb, better-sqlite3 returns the text we stored.
type Timestamp = ColumnType<string | Date, string, string>;
type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
type Json = ColumnType<unknown, string | null, string | null>;

interface LimitColumns {
  models: Json;
  mcp_tools: Json;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: string | null;
  metadata: Json;
}

export interface TeamsTable extends LimitColumns {
  id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable extends LimitColumns {
  id: string;
  name: string;
  team_id: string | null;
  role: string;
  key_prefix: string;
  key_hash: string;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface KeysDatabase {
  teams: TeamsTable;
  api_keys: ApiKeysTable;
}

/**
 * A KeyStore on `db`, which must be migrated (migrateToLatest). The SQL
 * stores hand over their own Kysely instance, whatever its table types.
 */
export function sqlKeyStore<DB>(db: Kysely<DB>, engine: SqlEngine): KeyStore {
  // The instance is the store's, typed for its log tables; the keys tables
  // live in the same database (same migration set), so only the type differs.
  return new SqlKeyStore(db as unknown as Kysely<KeysDatabase>, engine);
}

/** The columns stored as JSON (jsonb on PostgreSQL, text on SQLite). */
const JSON_FIELDS = new Set(["models", "mcp_tools", "metadata"]);

const iso = (value: string | Date): string => (value instanceof Date ? value : new Date(value)).toISOString();
const isoOrNull = (value: string | Date | null): string | null => (value === null ? null : iso(value));

class SqlKeyStore implements KeyStore {
  private readonly pg: boolean;

  constructor(private readonly db: Kysely<KeysDatabase>, engine: SqlEngine) {
    this.pg = engine === "postgres";
  }

  async createTeam(team: TeamRecord): Promise<TeamRecord> {
    await this.unique(() => this.db.insertInto("teams").values(this.encodeTeam(team)).execute(), "name", `A team named '${team.name}' exists.`);
    return (await this.getTeam(team.id))!;
  }

  async getTeam(id: string): Promise<TeamRecord | undefined> {
    const row = await this.db.selectFrom("teams").selectAll().where("id", "=", id).executeTakeFirst();
    return row && this.decodeTeam(row);
  }

  async listTeams(): Promise<TeamRecord[]> {
    const rows = await this.db.selectFrom("teams").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map((r) => this.decodeTeam(r));
  }

  async updateTeam(id: string, patch: TeamPatch): Promise<TeamRecord | undefined> {
    const values = this.encodePatch(patch);
    const result = await this.unique(
      () => this.db.updateTable("teams").set(values).where("id", "=", id).executeTakeFirst(),
      "name",
      `A team named '${patch.name ?? ""}' exists.`,
    );
    return Number(result.numUpdatedRows) === 0 ? undefined : this.getTeam(id);
  }

  async createKey(key: ApiKeyRecord): Promise<ApiKeyRecord> {
    const values = {
      ...this.encodeLimits(key),
      id: key.id,
      name: key.name,
      team_id: key.team_id,
      role: key.role,
      key_prefix: key.key_prefix,
      key_hash: key.key_hash,
      expires_at: key.expires_at,
      created_at: key.created_at,
      updated_at: key.updated_at,
      revoked_at: key.revoked_at,
      last_used_at: key.last_used_at,
    };
    await this.unique(() => this.db.insertInto("api_keys").values(values).execute(), "key_hash", "A key with this hash exists.");
    return (await this.getKey(key.id))!;
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row && this.decodeKey(row);
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom("api_keys").selectAll().where("key_hash", "=", hash).executeTakeFirst();
    return row && this.decodeKey(row);
  }

  async listKeys(query: KeyListQuery = {}): Promise<ApiKeyRecord[]> {
    let select = this.db.selectFrom("api_keys").selectAll();
    if (query.team_id !== undefined) select = select.where("team_id", "=", query.team_id);
    const rows = await select.orderBy("created_at").orderBy("id").execute();
    return rows.map((r) => this.decodeKey(r));
  }

  async updateKey(id: string, patch: KeyPatch): Promise<ApiKeyRecord | undefined> {
    const result = await this.db.updateTable("api_keys").set(this.encodePatch(patch)).where("id", "=", id).executeTakeFirst();
    return Number(result.numUpdatedRows) === 0 ? undefined : this.getKey(id);
  }

  async revokeKey(id: string, at: string): Promise<ApiKeyRecord | undefined> {
    await this.db.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).execute();
    return this.getKey(id);
  }

  async touchKeys(touches: ReadonlyArray<{ id: string; at: string }>): Promise<void> {
    if (touches.length === 0) return;
    // One transaction per batch: a handful of keys per flush interval, each an indexed update.
    await this.db.transaction().execute(async (trx) => {
      for (const { id, at } of touches) {
        await trx
          .updateTable("api_keys")
          .set({ last_used_at: at })
          .where("id", "=", id)
          .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
          .execute();
      }
    });
  }

  private encodeJson(value: unknown): string | null {
    return value === null || value === undefined ? null : JSON.stringify(value);
  }

  // pg parses jsonb itself; SQLite hands back the text we stored.
  private decodeJson<T>(value: unknown): T | null {
    if (value === null || value === undefined) return null;
    return (typeof value === "string" && !this.pg ? JSON.parse(value) : value) as T;
  }

  private encodeLimits(r: Omit<TeamRecord, "id" | "name" | "created_at" | "updated_at">) {
    return {
      models: this.encodeJson(r.models),
      mcp_tools: this.encodeJson(r.mcp_tools),
      rpm: r.rpm,
      tpm: r.tpm,
      max_parallel: r.max_parallel,
      budget_usd: r.budget_usd,
      budget_period: r.budget_period,
      metadata: this.encodeJson(r.metadata),
    };
  }

  private encodeTeam(team: TeamRecord) {
    return { ...this.encodeLimits(team), id: team.id, name: team.name, created_at: team.created_at, updated_at: team.updated_at };
  }

  /** Only the fields present in the patch; JSON fields encoded, null kept as "clear". */
  private encodePatch(patch: TeamPatch | KeyPatch): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      out[field] = JSON_FIELDS.has(field) ? this.encodeJson(value) : value;
    }
    return out;
  }

  private decodeLimits(row: Selectable<TeamsTable> | Selectable<ApiKeysTable>) {
    return {
      models: this.decodeJson<string[]>(row.models),
      mcp_tools: this.decodeJson<string[]>(row.mcp_tools),
      rpm: row.rpm,
      tpm: row.tpm,
      max_parallel: row.max_parallel,
      // pg returns double precision as a number already; SQLite's real too.
      budget_usd: row.budget_usd,
      budget_period: row.budget_period as BudgetPeriod | null,
      metadata: this.decodeJson<Record<string, unknown>>(row.metadata),
    };
  }

  private decodeTeam(row: Selectable<TeamsTable>): TeamRecord {
    return { id: row.id, name: row.name, ...this.decodeLimits(row), created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
  }

  private decodeKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
    return {
      id: row.id,
      name: row.name,
      team_id: row.team_id,
      role: row.role as Role,
      key_prefix: row.key_prefix,
      key_hash: row.key_hash,
      ...this.decodeLimits(row),
      expires_at: isoOrNull(row.expires_at),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
      revoked_at: isoOrNull(row.revoked_at),
      last_used_at: isoOrNull(row.last_used_at),
    };
  }

  /** Runs a write, turning either engine's unique violation into a DuplicateError. */
  private async unique<T>(write: () => Promise<T>, field: string, message: string): Promise<T> {
    try {
      return await write();
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown; constraint?: unknown };
      // pg: SQLSTATE 23505; better-sqlite3: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY.
      const isUnique = e.code === "23505" || (typeof e.code === "string" && e.code.startsWith("SQLITE_CONSTRAINT_") && e.code !== "SQLITE_CONSTRAINT_FOREIGNKEY");
      if (!isUnique) throw err;
      const where = `${String(e.constraint ?? "")} ${String(e.message ?? "")}`;
      const onId = /pkey|PRIMARYKEY|\.id\b/.test(`${where} ${String(e.code)}`);
      throw new DuplicateError(onId ? "id" : field, onId ? "A record with this id exists." : message);
    }
  }
}
