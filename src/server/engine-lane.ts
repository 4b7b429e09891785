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
import type { Engine, ReloadResult } from "../engine/engine.js";
import { reportUnexpected } from "../telemetry/report-unexpected.js";
import { authenticate } from "./authenticate.js";
import { BODY_ERRORS, errorBody, errorHeaders, normalizeError } from "./error-response.js";
import type { LaneCall, LaneRoute } from "./lane-route.js";
import { anthropicErrorBody, anthropicRoute } from "./routes/anthropic.js";
import { anthropicCountTokensRoute } from "./routes/anthropic-count-tokens.js";
import { openAIRoute } from "./routes/openai.js";
import { responsesRoute } from "./routes/responses.js";
import { JSON_TYPE } from "./write-answer.js";

export interface LaneState {
  shuttingDown: boolean;
  /** Re-reads the configuration and applies it (POST /admin/reload); absent when the gateway has no source to re-read. */
  reload?: () => Promise<ReloadResult>;
  /** GET /metrics' text when it is not this process's alone (--workers: all workers, summed). */
  metricsText?: () => Promise<string>;
}

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
    ["/v1/messages/count_tokens", anthropicCountTokensRoute(engine)],
    ["/v1/responses", responsesRoute(engine)],
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
        fail(route, id, res, err, engaged, (unread && !DRAINING.has(err as object)) || state.shuttingDown);
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
  const drainBound = Math.max(4 * limit, MIN_DRAIN_BYTES);
  const declared = Number(h["content-length"]);
  // Too large even to read to its end: refused at once, and the connection closed.
  if (declared > drainBound) return Promise.reject(BODY_ERRORS.tooLarge(limitMb));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    // A body past the limit is refused at once, but the connection stays open and the rest of the
    // body is read and dropped: closing on a client still writing reaches it as a connection error
    // (EPIPE), not as our 413. Past drainBound the client has had its chance: the socket is closed.
    const tooLarge = (): void => {
      cleanup();
      chunks.length = 0;
      const drain = (chunk: Buffer): void => {
        received += chunk.length;
        if (received > drainBound) {
          req.off("data", drain);
          req.destroy();
        }
      };
      req.on("data", drain);
      req.once("end", () => req.off("data", drain));
      reject(draining(BODY_ERRORS.tooLarge(limitMb)));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return tooLarge();
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
    if (declared > limit) return tooLarge();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
  });
}

/** Refusals whose body is still being read and dropped: the connection stays open for the client to finish. */
const DRAINING = new WeakSet<object>();
/** The smallest body read to its end only to be refused (4 x the limit, at least this). */
const MIN_DRAIN_BYTES = 64 * 1024 * 1024;

function draining<E extends object>(err: E): E {
  DRAINING.add(err);
  return err;
}

/** application/json with any parameters (charset=utf-8 ...), matched as fastify's JSON parser matched it. */
function isJson(contentType: string): boolean {
  if (contentType === "application/json") return true;
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === "application/json";
}
