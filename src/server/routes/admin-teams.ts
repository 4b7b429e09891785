/**
 * /admin/teams (DESIGN.md §2): teams carry the same limit fields as keys and
 * apply to all their keys together. Only admins create and change teams; a
 * manager may read their own.
 */
import type { FastifyInstance } from "fastify";
import { createTeamInput, parseInput, updateTeamInput } from "../../keys/admin-input.js";
import type { KeyAdmin } from "../../keys/key-admin.js";
import { readScope } from "../../keys/roles.js";
import { authorize, forbidden, principalOf } from "../authorize.js";

export interface AdminTeamRouteDeps {
  keys: KeyAdmin;
}

export function registerAdminTeamRoutes(app: FastifyInstance, deps: AdminTeamRouteDeps): void {
  const { keys } = deps;

  app.post("/admin/teams", async (req, reply) => {
    const principal = principalOf(req);
    authorize(principal, "create", { type: "team", id: null }, "teams");
    const team = await keys.createTeam(parseInput(createTeamInput, req.body));
    return reply.code(201).send(team);
  });

  app.get("/admin/teams", async (req, reply) => {
    const principal = principalOf(req);
    const scope = readScope(principal, "team");
    if (scope === null) throw forbidden(principal, "list", "teams");
    const data = scope.all ? await keys.listTeams() : [await keys.getTeam(scope.team_id)];
    return reply.send({ data });
  });

  app.get<{ Params: { id: string } }>("/admin/teams/:id", async (req, reply) => {
    const principal = principalOf(req);
    authorize(principal, "read", { type: "team", id: req.params.id }, `team '${req.params.id}'`);
    return reply.send(await keys.getTeam(req.params.id));
  });

  app.patch<{ Params: { id: string } }>("/admin/teams/:id", async (req, reply) => {
    const principal = principalOf(req);
    authorize(principal, "update", { type: "team", id: req.params.id }, `team '${req.params.id}'`);
    return reply.send(await keys.updateTeam(req.params.id, parseInput(updateTeamInput, req.body)));
  });
}
