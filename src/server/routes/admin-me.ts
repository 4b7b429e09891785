/**
 * GET /admin/me (DESIGN.md §7, "Admin dashboard"): who the presented key
 * is — `{key_id, name, role, team_id}`, the admin key as `{key_id: null,
 * name: "admin", role: "admin", team_id: null}` — and which optional
 * features this gateway serves, so the dashboard shows what the key may see
 * and what exists. Any valid key may ask; no key, or a bad one, is a 401
 * from the auth hook.
 */
import type { FastifyInstance } from "fastify";
import type { Engine } from "../../engine/engine.js";
import { principalOf } from "../authorize.js";
import { ROUTED_STRATEGIES } from "./admin-routing.js";

/** An optional feature and how to tell it is there: a route it serves, or a config that turns it on. */
const FEATURES: ReadonlyArray<{ name: string; on: (app: FastifyInstance, engine: Engine) => boolean }> = [
  // Keys and teams need a store; without one only the admin key exists.
  { name: "keys", on: (_app, engine) => engine.keyAdmin !== undefined },
  { name: "workflows", on: (app) => app.hasRoute({ method: "GET", url: "/v1/workflows" }) },
  { name: "prompts", on: (app) => app.hasRoute({ method: "GET", url: "/v1/prompts" }) },
  { name: "mcp", on: (app) => app.hasRoute({ method: "GET", url: "/admin/mcp" }) },
  // A model routed by the learned router (or a cascade) has decisions to show (GET /admin/routing).
  { name: "routing", on: (_app, engine) => Object.values(engine.config.models).some((m) => (ROUTED_STRATEGIES as readonly string[]).includes(m.strategy)) },
];

export function registerAdminMeRoute(app: FastifyInstance, engine: Engine): void {
  app.get("/admin/me", async (req, reply) => {
    const principal = principalOf(req);
    const who = principal.kind === "admin"
      ? { key_id: null, name: "admin", role: "admin", team_id: null }
      : { key_id: principal.key.id, name: principal.key.name, role: principal.key.role, team_id: principal.key.team_id };
    const features = FEATURES.filter((f) => f.on(app, engine)).map((f) => f.name);
    return reply.send({ ...who, open: principal.kind === "admin" && principal.open === true, features });
  });
}
