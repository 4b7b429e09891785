/**
 * The admin key/team routes in a fastify app of their own, with the auth hook
 * the lead wires into src/server/app.ts: presented key → Authenticator →
 * request.principal; errors through the real error mapper.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { Authenticator } from "../../src/keys/authenticator.js";
import { KeyAdmin } from "../../src/keys/key-admin.js";
import { authHook } from "../../src/server/authenticate.js";
import { errorBody, normalizeError } from "../../src/server/error-response.js";
import { registerAdminKeyRoutes } from "../../src/server/routes/admin-keys.js";
import { registerAdminTeamRoutes } from "../../src/server/routes/admin-teams.js";
import { sqlKeyStore } from "../../src/store/keys/sql-key-store.js";
import type { KeyStore } from "../../src/store/keys/types.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

class SqliteWithKeys extends SqliteStore {
  keysForTest(): KeyStore {
    return sqlKeyStore(this.db, "sqlite");
  }
}

export interface AdminApp {
  app: FastifyInstance;
  url: string;
  admin: KeyAdmin;
  auth: Authenticator;
  dbFile: string;
  close(): Promise<void>;
}

export const ADMIN_KEY = "sk-test-admin-key";

export async function startAdminApp(): Promise<AdminApp> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-admin-"));
  const dbFile = join(dir, "liaison.db");
  const store = new SqliteWithKeys({ filename: dbFile });
  await store.migrate();
  const keys = store.keysForTest();
  const auth = new Authenticator({ adminKey: ADMIN_KEY, store: keys });
  const admin = new KeyAdmin({ store: keys, cache: auth.cache });

  const app = Fastify({ logger: false });
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", authHook(auth));
  app.setErrorHandler((err, _req, reply) => {
    const e = normalizeError(err, 1);
    return reply.code(e.status).type("application/json").send(errorBody(e));
  });
  registerAdminKeyRoutes(app, { keys: admin });
  registerAdminTeamRoutes(app, { keys: admin });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app, url, admin, auth, dbFile,
    async close() {
      await app.close();
      await auth.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function call(base: string, key: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
