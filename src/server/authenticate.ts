/**
 * The one way a caller is authenticated, for the engine lane, the fastify
 * routes and the tests' apps alike: the key it presents (`Authorization:
 * Bearer …`, or `x-api-key` as Anthropic clients send it) resolved to a
 * principal, and — for model calls — a role that may call models. A
 * refused caller's answer closes the connection: its body is never read.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { onRequestHookHandler } from "fastify";
import { GatewayError } from "../core/errors.js";
import type { Authenticator } from "../keys/authenticator.js";
import type { Principal } from "../keys/principal.js";
import { can, roleOf } from "../keys/roles.js";
import "./authorize.js"; // FastifyRequest.principal

/** The caller's key from `Authorization: Bearer …` or `x-api-key`. */
export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim();
  const x = headers["x-api-key"];
  return typeof x === "string" && x ? x : undefined;
}

/**
 * The principal behind a request's headers, or a 401/403 GatewayError
 * (thrown, or the promise's rejection). Synchronous whenever no I/O is
 * needed (the admin key, a cached key): most requests pay no promise.
 * `calling`: the request calls a model, which the role must allow.
 */
export function authenticate(auth: Authenticator, headers: IncomingHttpHeaders, calling: boolean): Principal | Promise<Principal> {
  const found = auth.authenticate(bearerKey(headers));
  if (!calling) return found;
  return found instanceof Promise ? found.then(mayCall) : mayCall(found);
}

function mayCall(principal: Principal): Principal {
  if (!can(principal, "call", { type: "model" })) throw new GatewayError("permission_denied", `A key with role '${roleOf(principal)}' may not call models.`);
  return principal;
}

/**
 * The fastify hook: /v1, /admin and /analytics requests get `req.principal` or their
 * 401/403 with `connection: close`. Admin routes check their own
 * permissions (./authorize.ts); /v1 routes need a role that may call models.
 */
export function authHook(auth: Authenticator): onRequestHookHandler {
  const calling = principalHook(auth, true);
  const administering = principalHook(auth, false);
  return function (req, reply, done) {
    const url = req.url;
    if (url.startsWith("/v1/")) return calling.call(this, req, reply, done);
    if (!url.startsWith("/admin/") && !url.startsWith("/analytics/")) return done();
    return administering.call(this, req, reply, done);
  };
}

/**
 * Sets `req.principal` from the presented key (`calling`: the key must be
 * one that may call models). A callback hook, not an async one: a cached key
 * (or the admin key) is resolved synchronously. A refusal closes the
 * connection with its body unread.
 */
export function principalHook(auth: Authenticator, calling: boolean): onRequestHookHandler {
  return (req, reply, done) => {
    const refuse = (err: Error): void => {
      reply.header("connection", "close");
      done(err);
    };
    try {
      const result = authenticate(auth, req.headers, calling);
      if (result instanceof Promise) {
        result.then((principal) => {
          req.principal = principal;
          done();
        }, refuse);
      } else {
        req.principal = result;
        done();
      }
    } catch (err) {
      refuse(err as Error);
    }
  };
}
