/**
 * The prompt registry over HTTP (DESIGN.md §7 "Prompt registry",
 * docs/prompts.md), on fastify (the auth hook has set the principal; every
 * /v1 caller may call models):
 *
 *   GET    /v1/prompts                               {object: "list", data: [{name, latest, versions, labels}]}
 *   POST   /v1/prompts                               {name, messages, model?, params?, description?} → 201 {name, version}
 *   GET    /v1/prompts/{name}                        {name, latest, versions, labels}
 *   GET    /v1/prompts/{name}/versions/{n}           {name, version, messages, model, params, description, created_at}
 *   PUT    /v1/prompts/{name}/labels/{label}         {version} → {name, label, version}
 *   DELETE /v1/prompts/{name}/labels/{label}         → {name, label, deleted: true}
 *   POST   /v1/prompts/{name}/completions            {variables, version? | label?, stream?, model?, …} → a chat completion
 *   GET    /v1/prompts/{name}/evals[?limit=]         {object: "list", data: [evaluation reports, newest first]}
 *
 * Writing prompts and moving labels needs an admin or manager key; members
 * read and use them. Prompts are global, not per team. A completion is an
 * ordinary chat call made with the caller's key (limits, budgets, routing,
 * cache, cost), answered in OpenAI's shape with the gateway's headers, and
 * its log row carries the prompt and version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import type { Principal } from "../../keys/principal.js";
import { roleOf } from "../../keys/roles.js";
import { Prompts, promptNotFound, PROMPT_NAME } from "../../prompts/index.js";
import { forbidden, principalOf } from "../authorize.js";
import { callOptions } from "../request-options.js";
import { openAIFormat, type SSEFormat } from "../sse.js";
import { writeJson, writeStream } from "../write-answer.js";

const evalsQuery = z.looseObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const labelBody = z.looseObject({ version: z.unknown() });

function nameOf(params: unknown): string {
  const name = String((params as { name?: unknown }).name ?? "");
  if (!PROMPT_NAME.test(name)) throw promptNotFound(`Prompt '${name}'`);
  return name;
}

/** Writing prompts and labels: the admin key or a manager (DESIGN.md §7). */
function mayWrite(principal: Principal, what: string): void {
  const role = roleOf(principal);
  if (role !== "admin" && role !== "manager") throw forbidden(principal, what, "prompts (an admin or manager key may)");
}

function versionOf(params: unknown): number {
  const raw = String((params as { n?: unknown }).n ?? "");
  const n = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || n < 1) throw new GatewayError("invalid_request", `'${raw}' is not a version number (1, 2, …).`, { param: "version" });
  return n;
}

export function registerPromptRoutes(app: FastifyInstance, engine: Engine): void {
  // A plugin: the ./prompts files are read (and a bad one stops the start) before the server listens.
  app.register(async (scope) => {
    const prompts = await Prompts.open(engine);
    const maxJsonDepth = engine.config.server.max_json_depth;
    const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type("application/json").send(JSON.stringify(body));

    scope.get("/v1/prompts", async (_req, reply) => json(reply, 200, { object: "list", data: await prompts.list() }));

    scope.post("/v1/prompts", async (req, reply) => {
      const principal = principalOf(req);
      mayWrite(principal, "create");
      return json(reply, 201, await prompts.create(req.body, { createdBy: principal.kind === "key" ? principal.key.id : null }));
    });

    scope.get("/v1/prompts/:name", async (req, reply) => json(reply, 200, await prompts.get(nameOf(req.params))));

    scope.get("/v1/prompts/:name/versions/:n", async (req, reply) => json(reply, 200, await prompts.version(nameOf(req.params), versionOf(req.params))));

    scope.put("/v1/prompts/:name/labels/:label", async (req, reply) => {
      mayWrite(principalOf(req), "move labels of");
      const body = labelBody.safeParse(req.body ?? {});
      const version = body.success ? body.data.version : undefined;
      return json(reply, 200, await prompts.setLabel(nameOf(req.params), String((req.params as { label?: unknown }).label ?? ""), version));
    });

    scope.delete("/v1/prompts/:name/labels/:label", async (req, reply) => {
      mayWrite(principalOf(req), "remove labels of");
      return json(reply, 200, await prompts.deleteLabel(nameOf(req.params), String((req.params as { label?: unknown }).label ?? "")));
    });

    scope.get("/v1/prompts/:name/evals", async (req, reply) => {
      const q = evalsQuery.safeParse(req.query ?? {});
      if (!q.success) throw new GatewayError("invalid_request", "limit must be a whole number from 1 to 100.", { param: "limit" });
      return json(reply, 200, { object: "list", data: await prompts.evals(nameOf(req.params), q.data.limit) });
    });

    scope.post("/v1/prompts/:name/completions", async (req: FastifyRequest, reply) => {
      const name = nameOf(req.params);
      const options = callOptions({ id: req.id, principal: principalOf(req), req: req.raw, res: reply.raw, maxJsonDepth });
      // 404 and 400 (unknown prompt, a missing variable) answer as JSON errors through fastify, before anything is written.
      const { request, options: tagged } = await prompts.prepare(name, req.body, options);
      if (request.stream) {
        const result = await engine.chatStream(request, tagged);
        reply.hijack();
        await writeStream(reply.raw, result, openAIFormat as SSEFormat<unknown>, engine.logger);
        return;
      }
      const result = await engine.chat(request, tagged);
      reply.hijack();
      writeJson(reply.raw, result.meta, JSON.stringify(result.value));
    });
  });
}
