import pg from "pg";

/** One statement on a short-lived connection to a given database (test setup and checks only). */
export async function pgQueryAt<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<T>(text);
  } finally {
    await client.end();
  }
}
