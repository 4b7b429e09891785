/** The real PostgreSQL every dev and CI machine runs (DESIGN.md §5), and throwaway schemas in it. */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_URL = process.env.LIAISON_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function uniqueSchema(): string {
  return `liaison_test_${randomBytes(6).toString("hex")}`;
}

/** Runs one statement on a short-lived connection of its own (setup and cleanup only). */
export async function pgAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query<T>(text, values);
  } finally {
    await client.end();
  }
}

export async function dropSchemas(schemas: string[]): Promise<void> {
  for (const schema of schemas) {
    // Quoted identifier; the names come from uniqueSchema().
    await pgAdmin(`drop schema if exists "${schema}" cascade`);
  }
}
