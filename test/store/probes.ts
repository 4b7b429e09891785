/** The stores keep their Kysely handle protected; these test subclasses lend it out. */
import type { Kysely } from "kysely";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { LiaisonDatabase } from "../../src/store/sql/log-table.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

export class SqliteProbe extends SqliteStore {
  get kysely(): Kysely<LiaisonDatabase> {
    return this.db;
  }
}

export class PostgresProbe extends PostgresStore {
  get kysely(): Kysely<LiaisonDatabase> {
    return this.db;
  }
}
