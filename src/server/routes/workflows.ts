/**
 * Workflows over HTTP (DESIGN.md §7, docs/workflows.md), on fastify (the
 * auth hook has set the principal; every /v1 caller may call models):
 *
 *   GET  /v1/workflows                      {data: [{name, description, inputs, version}]}
 *   GET  /v1/workflows/{name}               the latest definition, its version and versions
 *   POST /v1/workflows[?replace=true]       YAML (application/yaml) or JSON; admin or manager → 201 {name, version}
 *   POST /v1/workflow/{name}                {inputs, stream?} → the run record, or server-sent events
 *   POST /v1/workflows/{name}/runs          the same
 *   GET  /v1/workflows/{name}/runs          the latest runs, newest first, with a cursor
 *   GET  /v1/workflows/{name}/runs/{id}     one stored run
 *
 * A run's steps are made with the caller's key (server/request-options.ts
 * turns the request into the call options every step starts from), and a
 * client that disconnects cancels the calls in flight. Runs are seen by
 * their own team (a key without a team: by that key); the admin key sees
 * every run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import type { Principal } from "../../keys/principal.js";
import { roleOf } from "../../keys/roles.js";
import { parseWorkflowText, WORKFLOW_NAME, Workflows, notFound, type RunEvent, type RunScope } from "../../workflows/index.js";
import { forbidden, principalOf } from "../authorize.js";
import { errorBody } from "../error-response.js";
import { callOptions } from "../request-options.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];
const RUN_ID = /^[\x21-\x7e]{1,256}$/;

const uploadQuery = z.looseObject({ replace: z.enum(["true", "false"]).optional() });
const runsQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
  status: z.enum(["succeeded", "failed"]).optional(),
});
const runBody = z.looseObject({
  inputs: z.record(z.string(), z.unknown()).nullish(),
  stream: z.boolean().nullish(),
});

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue?.path.map(String).join(".") || where;
  throw new GatewayError("invalid_request", `${param}: ${issue?.message ?? "invalid value"}`, { param });
}

function nameOf(params: unknown): string {
  const name = String((params as { name?: unknown }).name ?? "");
  if (!WORKFLOW_NAME.test(name)) throw notFound(name);
  return name;
}

/** Writing workflows: the admin key or a manager (DESIGN.md §7). */
function mayWrite(principal: Principal): void {
  const role = roleOf(principal);
  if (role !== "admin" && role !== "manager") throw forbidden(principal, "create or replace", "workflows (an admin or manager key may)");
}

function scopeOf(principal: Principal): RunScope {
  if (principal.kind === "admin") return { all: true };
  const { key } = principal;
  return key.team_id ? { team_id: key.team_id } : { key_id: key.id };
}

const sse = (e: { event: string; data: unknown }): string => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

export function registerWorkflowRoutes(app: FastifyInstance, engine: Engine): void {
  // A plugin: the workflow files are read (and a bad one stops the start) before the server listens,
  // and the YAML body parser stays with these routes.
  app.register(async (scope) => {
    const workflows = await Workflows.open(engine);
    const maxJsonDepth = engine.config.server.max_json_depth;
    scope.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));
    const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type("application/json").send(JSON.stringify(body));

    scope.get("/v1/workflows", async (_req, reply) => json(reply, 200, { object: "list", data: await workflows.list() }));

    scope.get("/v1/workflows/:name", async (req, reply) => json(reply, 200, await workflows.get(nameOf(req.params))));

    scope.post("/v1/workflows", async (req, reply) => {
      mayWrite(principalOf(req));
      const { replace } = parse(uploadQuery, req.query, "query");
      const value = typeof req.body === "string" ? parseWorkflowText(req.body) : req.body;
      const principal = principalOf(req);
      const created = await workflows.upload(value, { replace: replace === "true", createdBy: principal.kind === "key" ? principal.key.id : null });
      return json(reply, 201, created);
    });

    const run = async (req: FastifyRequest, reply: FastifyReply) => {
      const name = nameOf(req.params);
      const body = parse(runBody, req.body, "body");
      const principal = principalOf(req);
      const options = callOptions({ id: req.id, principal, req: req.raw, res: reply.raw, maxJsonDepth });
      // 404 and 400 (unknown workflow, bad inputs) answer as JSON errors, before any event is sent.
      const prepared = await workflows.prepare(name, body.inputs ?? {});
      if (body.stream !== true) return json(reply, 200, await workflows.execute(prepared, options));

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...reply.getHeaders(), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" } as Record<string, string>);
      const write = (e: RunEvent) => {
        if (!res.destroyed && !res.writableEnded) res.write(sse(e));
      };
      try {
        await workflows.execute(prepared, options, { onEvent: write });
        if (!res.destroyed) res.end();
      } catch (err) {
        const e = toGatewayError(err);
        if (e.code === "internal_error") engine.internalErrors.report("workflow_run", err);
        if (!res.destroyed) res.end(`event: error\ndata: ${errorBody(e)}\n\n`);
      }
    };
    scope.post("/v1/workflow/:name", run);
    scope.post("/v1/workflows/:name/runs", run);

    scope.get("/v1/workflows/:name/runs", async (req, reply) => {
      const q = parse(runsQuery, req.query, "query");
      const page = await workflows.runs(nameOf(req.params), { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.status ? { status: q.status } : {}) }, scopeOf(principalOf(req)));
      return json(reply, 200, { object: "list", ...page });
    });

    scope.get("/v1/workflows/:name/runs/:id", async (req, reply) => {
      const name = nameOf(req.params);
      const id = String((req.params as { id?: unknown }).id ?? "");
      if (!RUN_ID.test(id)) throw new GatewayError("invalid_request", `Run '${id}' of workflow '${name}' not found.`, { status: 404, clientCode: "run_not_found" });
      return json(reply, 200, await workflows.getRun(name, id, scopeOf(principalOf(req))));
    });
  });
}
