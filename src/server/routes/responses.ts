/**
 * The OpenAI Responses API: `POST /v1/responses` on the engine lane
 * (translated through the canonical chat format, so every model and every
 * gateway feature serves it), and the stored responses on fastify:
 * `GET|DELETE /v1/responses/{id}`, `GET /v1/responses/{id}/input_items`.
 *
 * Who sees a stored response: the team of the key that stored it (a key
 * without a team: that key alone); the admin key, and every caller of an
 * open (dev mode) gateway, share the owner "admin". An id another owner
 * stored is a 404, as an unknown one is.
 *
 * Without a store (logging.requests off, or a library store without
 * responses()) nothing is stored: the answer says `store: false` and
 * `x-liaison-response-stored: false`; previous_response_id and
 * item_reference, which need stored responses, are refused with a 400.
 * logging.retention.rows_days applies: older responses are hidden at
 * once and deleted by a sweep that runs, at most every retention
 * interval_ms, after a response is stored.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { flatten } from "../../core/batched.js";
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk } from "../../core/types.js";
import type { Engine } from "../../engine/engine.js";
import type { Principal } from "../../keys/principal.js";
// The Responses codec is a protocol of this server's surface, kept beside the OpenAI adapter (same vendor, same docs).
import {
  canonicalToResponse, CanonicalToResponsesStream, inputEntries, newResponseId, parseResponsesRequest, referencedIds,
  resolveReferences, responseShell, responsesSSE, toChatRequest, toMessages,
  type ResponseObject, type ResponsesRequest, type StoredItem,
} from "../../providers/openai/responses/index.js";
import type { ResponseStore } from "../../store/responses/types.js";
import { principalOf } from "../authorize.js";
import type { LaneCall, LaneRoute } from "../lane-route.js";
import { callOptions } from "../request-options.js";
import type { SSEFormat } from "../sse.js";
import { writeJson, writeStream } from "../write-answer.js";

export const RESPONSES_ROUTE = "/v1/responses";
export const STORED_HEADER = "x-liaison-response-stored";

const DAY_MS = 86_400_000;

/** The owner of the responses a caller stores and sees (see above). */
export function ownerOf(principal: Principal): string {
  if (principal.kind === "admin") return "admin";
  return principal.key.team_id ? `team:${principal.key.team_id}` : `key:${principal.key.id}`;
}

function notFound(id: string): GatewayError {
  return new GatewayError("invalid_request", `Response with id '${id}' not found.`, { status: 404, clientCode: "response_not_found" });
}

/** The store as the routes use it: retention applied, absence explained. */
class StoredResponses {
  readonly #store: ResponseStore | undefined;
  readonly #rowsDays: number | undefined;
  readonly #sweepEveryMs: number;
  readonly #report: (err: unknown) => void;
  #lastSweep = 0;

  constructor(engine: Engine) {
    this.#store = engine.store?.responses?.();
    const retention = engine.config.logging.retention;
    this.#rowsDays = retention?.rows_days;
    this.#sweepEveryMs = retention?.interval_ms ?? DAY_MS;
    this.#report = (err) => engine.internalErrors.report("response_store", err);
  }

  get enabled(): boolean {
    return this.#store !== undefined;
  }

  /** Responses stored before this are past retention. */
  get since(): string | undefined {
    return this.#rowsDays === undefined ? undefined : new Date(Date.now() - this.#rowsDays * DAY_MS).toISOString();
  }

  /** The store, or a 400 naming what needed it. */
  need(what: string, param: string): ResponseStore {
    if (this.#store) return this.#store;
    throw new GatewayError("invalid_request",
      `${what} needs stored responses, and this gateway stores none (logging.requests is off, so it has no database).`, { param });
  }

  /** For reads: an unknown id and a gateway without a store look the same, a 404. */
  read(id: string): ResponseStore {
    if (this.#store) return this.#store;
    throw notFound(id);
  }

  /** Stores the response; a failure is reported, never thrown: the answer has been paid for. */
  async save(id: string, owner: string, req: ResponsesRequest, input: StoredItem[], response: ResponseObject): Promise<void> {
    const store = this.#store;
    if (!store) return;
    try {
      await store.save({
        id, owner, created_at: new Date(response.created_at * 1000).toISOString(),
        previous_response_id: req.previousResponseId, input, response: response as unknown as { output: StoredItem[] },
      });
    } catch (err) {
      this.#report(err);
      return;
    }
    const now = Date.now();
    if (this.#rowsDays !== undefined && now - this.#lastSweep >= this.#sweepEveryMs) {
      this.#lastSweep = now;
      store.deleteOlderThan(this.since!).catch(this.#report);
    }
  }
}

/** The conversation before this request (previous_response_id) and this request's input, references resolved. */
async function itemsOf(req: ResponsesRequest, owner: string, stored: StoredResponses): Promise<{ history: StoredItem[]; input: StoredItem[] }> {
  const entries = inputEntries(req.input);
  let history: StoredItem[] = [];
  const previous = req.previousResponseId;
  if (previous !== null) {
    const conv = await stored.need("previous_response_id", "previous_response_id").conversation(owner, previous, stored.since);
    if ("missing" in conv) {
      throw conv.missing === previous
        ? new GatewayError("invalid_request", `Previous response with id '${previous}' not found.`, { status: 404, param: "previous_response_id", clientCode: "previous_response_not_found" })
        : new GatewayError("invalid_request",
          `Previous response '${conv.missing}', earlier in the conversation of '${previous}', is no longer stored (deleted, or past retention).`,
          { status: 404, param: "previous_response_id", clientCode: "previous_response_not_found" });
    }
    history = conv.items;
  }
  const refs = referencedIds(entries);
  const found = refs.length > 0 ? await stored.need("An item_reference input item", "input").items(owner, refs, stored.since) : new Map<string, StoredItem>();
  return { history, input: resolveReferences(entries, found) };
}

/** The stream's batches, then, once the upstream is done, the response settled and stored before its last events are written. */
async function* settling(batches: AsyncIterable<ChatChunk[]>, finish: () => Promise<void>): AsyncGenerator<ChatChunk[]> {
  for await (const batch of batches) yield batch;
  await finish();
}

/** POST /v1/responses on the engine lane. */
export function responsesRoute(engine: Engine): LaneRoute {
  const stored = new StoredResponses(engine);
  return {
    endpoint: RESPONSES_ROUTE,
    async serve(call: LaneCall) {
      const options = { ...callOptions(call), endpoint: RESPONSES_ROUTE } as const;
      const req = parseResponsesRequest(call.body);
      const owner = ownerOf(call.principal);
      const { history, input } = await itemsOf(req, owner, stored);
      const chat = toChatRequest(req, toMessages([...history, ...input]));
      const storing = req.store && stored.enabled;
      const who = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), store: storing };
      const save = (response: ResponseObject) => (storing ? stored.save(who.id, owner, req, input, response) : Promise.resolve());
      call.engaged = true;
      if (chat.stream) {
        const result = await engine.chatStream(chat, options);
        const converter = new CanonicalToResponsesStream(responseShell(req, who));
        let tail = "";
        const finish = async () => {
          tail = converter.end().map(responsesSSE).join("");
          await save(converter.response);
        };
        const format: SSEFormat<ChatChunk> = {
          render: (chunk) => converter.push(chunk).map(responsesSSE).join(""),
          done: () => tail,
          // A response that failed mid-stream is not stored: there is nothing to continue from.
          error: (err) => converter.fail(err.clientCode ?? err.code, err.message).map(responsesSSE).join(""),
        };
        call.res.setHeader(STORED_HEADER, String(storing));
        const batches = settling(result.batches, finish);
        await writeStream(call.res, { meta: result.meta, batches, stream: flatten(batches) }, format, engine.logger);
        return;
      }
      const result = await engine.chat(chat, options);
      const response = canonicalToResponse(result.value, req, who);
      await save(response);
      call.res.setHeader(STORED_HEADER, String(storing));
      writeJson(call.res, result.meta, JSON.stringify(response));
    },
  };
}

/** Response ids are printable ASCII: anything else cannot name a stored response. */
const RESPONSE_ID = /^[\x21-\x7e]{1,256}$/;
const itemsQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(["asc", "desc"]).default("desc"),
  after: z.string().min(1).optional(),
});
const getQuery = z.looseObject({
  stream: z.enum(["false"], { error: "stream=true (replaying a response's events) is not supported by this gateway; retrieve the response whole" }).optional(),
});

function idOf(params: unknown): string {
  const id = String((params as { id?: unknown }).id ?? "");
  if (!RESPONSE_ID.test(id)) throw notFound(id);
  return id;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue?.path.map(String).join(".") || where;
  throw new GatewayError("invalid_request", `${param}: ${issue?.message ?? "invalid value"}`, { param });
}

/** The stored responses, on fastify (the auth hook has set the principal). */
export function registerResponsesRoutes(app: FastifyInstance, engine: Engine): void {
  const stored = new StoredResponses(engine);
  const json = JSON.stringify;

  app.get("/v1/responses/:id", async (req, reply) => {
    const id = idOf(req.params);
    parse(getQuery, req.query, "query");
    const response = await stored.read(id).get(ownerOf(principalOf(req)), id, stored.since);
    if (!response) throw notFound(id);
    return reply.type("application/json").send(json(response));
  });

  app.delete("/v1/responses/:id", async (req, reply) => {
    const id = idOf(req.params);
    if (!(await stored.read(id).delete(ownerOf(principalOf(req)), id))) throw notFound(id);
    return reply.type("application/json").send(json({ id, object: "response", deleted: true }));
  });

  app.get("/v1/responses/:id/input_items", async (req, reply) => {
    const id = idOf(req.params);
    const q = parse(itemsQuery, req.query, "query");
    const page = await stored.read(id).inputItems(ownerOf(principalOf(req)), id, { limit: q.limit, order: q.order, ...(q.after ? { after: q.after } : {}) }, stored.since);
    if (!page) throw notFound(id);
    const first = page.data[0];
    const last = page.data[page.data.length - 1];
    return reply.type("application/json").send(json({ object: "list", data: page.data, first_id: first?.id ?? null, last_id: last?.id ?? null, has_more: page.has_more }));
  });
}
