/**
 * /admin/keys (DESIGN.md §2): create (the secret is in this response only),
 * list, show, update, revoke. Every route asks roles.can() for the request's
 * principal, which the auth hook has set.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { createKeyInput, parseInput, updateKeyInput } from "../../keys/admin-input.js";
import { publicKey, type KeyAdmin } from "../../keys/key-admin.js";
import type { Principal } from "../../keys/principal.js";
import { readScope } from "../../keys/roles.js";
import { authorize, forbidden, principalOf } from "../authorize.js";

export interface AdminKeyRouteDeps {
  keys: KeyAdmin;
}

export function registerAdminKeyRoutes(app: FastifyInstance, deps: AdminKeyRouteDeps): void {
  const { keys } = deps;

  /** A first, coarse check before reading the body: members and viewers manage no keys at all. */
  const keyManager = (req: FastifyRequest, action: string): Principal => {
    const principal = principalOf(req);
    if (readScope(principal, "key") === null) throw forbidden(principal, action, "keys");
    return principal;
  };

  app.post("/admin/keys", async (req, reply) => {
    const principal = keyManager(req, "create");
    const input = parseInput(createKeyInput, req.body);
    // A manager's keys belong to their team unless they say otherwise.
    if (input.team_id === undefined && principal.kind === "key" && principal.key.role === "manager") input.team_id = principal.key.team_id;
    const target = { type: "key", team_id: input.team_id ?? null, role: input.role ?? "member" } as const;
    authorize(principal, "create", target, target.team_id === null ? "keys outside a team" : `keys of team '${target.team_id}' with role '${target.role}'`);
    const { key, record } = await keys.createKey(input);
    return reply.code(201).send({ ...publicKey(record), key });
  });

  app.get<{ Querystring: { team_id?: string } }>("/admin/keys", async (req, reply) => {
    const principal = keyManager(req, "list");
    const scope = readScope(principal, "key")!;
    const asked = req.query.team_id || undefined;
    if (!scope.all && asked !== undefined && asked !== scope.team_id) throw forbidden(principal, "list", `keys of team '${asked}'`);
    const records = await keys.listKeys(scope.all ? asked : scope.team_id);
    return reply.send({ data: records.map(publicKey) });
  });

  app.get<{ Params: { id: string } }>("/admin/keys/:id", async (req, reply) => {
    const principal = keyManager(req, "read");
    const record = await keys.getKey(req.params.id);
    authorize(principal, "read", { type: "key", team_id: record.team_id, role: record.role }, `key '${record.id}'`);
    return reply.send(publicKey(record));
  });

  app.patch<{ Params: { id: string } }>("/admin/keys/:id", async (req, reply) => {
    const principal = keyManager(req, "update");
    const input = parseInput(updateKeyInput, req.body);
    const existing = await keys.getKey(req.params.id);
    // Both what the key is and what it would become must be within the caller's reach.
    authorize(principal, "update", { type: "key", team_id: existing.team_id, role: existing.role }, `key '${existing.id}'`);
    const after = { type: "key", team_id: input.team_id === undefined ? existing.team_id : input.team_id, role: input.role ?? existing.role } as const;
    authorize(principal, "update", after, `a key into team '${after.team_id}' with role '${after.role}'`);
    return reply.send(publicKey(await keys.updateKey(existing.id, input)));
  });

  app.delete<{ Params: { id: string } }>("/admin/keys/:id", async (req, reply) => {
    const principal = keyManager(req, "revoke");
    const existing = await keys.getKey(req.params.id);
    authorize(principal, "delete", { type: "key", team_id: existing.team_id, role: existing.role }, `key '${existing.id}'`);
    return reply.send(publicKey(await keys.revokeKey(existing.id)));
  });
}
