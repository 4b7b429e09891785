/**
 * The model-call routes (POST /v1/chat/completions, /v1/completions,
 * /v1/embeddings, /v1/messages), served straight off node:http in front of
 * fastify, whose per-request machinery cost more CPU than the engine itself
 * (docs/benchmarks.md, "The engine lane"). Everything else (ops,
 * /v1/models, admin) stays on fastify.
 *
 * What fastify did for these routes, this does the same way: the caller's
 * key is checked before the body is read; the body must be JSON
 * (application/json, any parameters) within server.body_limit_mb; keys that
 * could poison a prototype (`__proto__`, `constructor.prototype`) are
 * refused; every answer carries x-request-id; a refused body closes the
 * connection (the client may still be sending); during shutdown new requests
 * get a 503 and `connection: close`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import sjson from "secure-json-parse";
import { GatewayError } from "../core/errors.js";
import { checkDepth } from "../core/json-depth.js";
import { newId } from "../core/ids.js";
import type { Engine } from "../engine/engine.js";
import { reportUnexpected } from "../telemetry/report-unexpected.js";
import { authenticate } from "./authenticate.js";
import { BODY_ERRORS, errorBody, errorHeaders, normalizeError } from "./error-response.js";
import type { LaneCall, LaneRoute } from "./lane-route.js";
import { anthropicErrorBody, anthropicRoute } from "./routes/anthropic.js";
import { openAIRoute } from "./routes/openai.js";
import { JSON_TYPE } from "./write-answer.js";

export interface LaneState { shuttingDown: boolean }

/** Returns true when it took the request; false leaves it to fastify. */
export type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

const PARSE_OPTIONS = { protoAction: "error", constructorAction: "error" } as const;

export function createEngineLane(engine: Engine, state: LaneState): Lane {
  const limitMb = engine.config.server.body_limit_mb;
  const limit = Math.floor(limitMb * 1024 * 1024);
  const maxJsonDepth = engine.config.server.max_json_depth;
  const routes = new Map<string, LaneRoute>([
    ["/v1/chat/completions", openAIRoute("/v1/chat/completions", (b, o) => engine.chat(b, o), (b, o) => engine.chatStream(b, o), engine.logger)],
    ["/v1/completions", openAIRoute("/v1/completions", (b, o) => engine.completions(b, o), (b, o) => engine.completionsStream(b, o), engine.logger)],
    ["/v1/embeddings", openAIRoute("/v1/embeddings", (b, o) => engine.embed(b, o), undefined, engine.logger)],
    ["/v1/messages", { ...anthropicRoute(engine), errorBody: anthropicErrorBody }],
  ]);
  const auth = engine.auth;

  const fail = (route: LaneRoute, id: string, res: ServerResponse, err: unknown, engaged: boolean, closeConnection = false): void => {
    const e = normalizeError(err, limitMb);
    if (!engaged) {
      // The engine logs and reports its own unexpected errors; these are the lane's.
      if (e.code === "internal_error") reportUnexpected(engine, err, { requestId: id, route: route.endpoint });
      engine.recordRejected(route.endpoint, e.status, e.clientCode ?? e.code, id);
    }
    if (res.headersSent || res.destroyed) return;
    const body = route.errorBody ? route.errorBody(e, id) : errorBody(e);
    const headers = errorHeaders(e);
    headers["x-request-id"] = id;
    headers["content-type"] = JSON_TYPE;
    headers["content-length"] = String(Buffer.byteLength(body));
    if (closeConnection) headers.connection = "close";
    res.writeHead(e.status, headers);
    res.end(body);
  };

  const handle = async (route: LaneRoute, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = newId("req");
    let engaged = false;
    // Until the body has been read, an error answer closes the connection:
    // the client may still be sending, and a refused caller (no key, wrong
    // role) must not be able to hold the connection by trickling a body.
    let unread = true;
    try {
      if (state.shuttingDown) {
        throw new GatewayError("shutting_down", "The gateway is shutting down and takes no new requests; send the request again (another instance will take it).", { retryAfter: 1 });
      }
      const found = authenticate(auth, req.headers, true);
      const principal = found instanceof Promise ? await found : found;
      const body = await readJsonBody(req, limit, limitMb);
      unread = false;
      checkDepth(body, maxJsonDepth, "The request body");
      const call: LaneCall = { id, req, res, principal, body, maxJsonDepth, engaged: false };
      try {
        await route.serve(call);
      } finally {
        engaged = call.engaged;
      }
    } catch (err) {
      try {
        fail(route, id, res, err, engaged, unread || state.shuttingDown);
      } catch (failure) {
        // Not even an error answer could be written: never a hanging client, never an unhandled rejection.
        engine.internalErrors.report("error_response", failure);
        res.destroy();
      }
    }
  };

  return (req, res) => {
    if (req.method !== "POST") return false;
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const route = routes.get(q === -1 ? url : url.slice(0, q));
    if (!route) return false;
    void handle(route, req, res);
    return true;
  };
}

/**
 * The request body as parsed JSON, or undefined when the request has none
 * (no Content-Type, no length, no chunked encoding), as fastify treated it.
 */
function readJsonBody(req: IncomingMessage, limit: number, limitMb: number): Promise<unknown> {
  const h = req.headers;
  const type = h["content-type"];
  if (type === undefined && h["transfer-encoding"] === undefined && (h["content-length"] === undefined || h["content-length"] === "0")) {
    req.resume();
    return Promise.resolve(undefined);
  }
  if (type === undefined || !isJson(type)) return Promise.reject(BODY_ERRORS.unsupportedMediaType());
  if (Number(h["content-length"]) > limit) return Promise.reject(BODY_ERRORS.tooLarge(limitMb));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        reject(BODY_ERRORS.tooLarge(limitMb));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (received === 0) return reject(BODY_ERRORS.empty());
      const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, received).toString("utf8");
      try {
        resolve(sjson.parse(text, undefined, PARSE_OPTIONS));
      } catch (err) {
        reject(BODY_ERRORS.invalidJson(err));
      }
    };
    const onError = () => {
      cleanup();
      reject(BODY_ERRORS.incomplete());
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
  });
}

/** application/json with any parameters (charset=utf-8 ...), matched as fastify's JSON parser matched it. */
function isJson(contentType: string): boolean {
  if (contentType === "application/json") return true;
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === "application/json";
}
