/**
 * What an authenticated caller may do on the admin API: every admin route
 * asks roles.can() for the request's principal, which the auth hook set.
 */
import type { FastifyRequest } from "fastify";
import { COMMON_ERRORS, GatewayError } from "../core/errors.js";
import type { Principal } from "../keys/principal.js";
import { can, roleOf, type Action, type Resource } from "../keys/roles.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is calling: set by the auth hook on every /v1 and /admin request. */
    principal?: Principal;
  }
}

/** The request's principal; its absence means the auth hook did not run, so nothing is allowed. */
export function principalOf(req: FastifyRequest): Principal {
  const principal = req.principal;
  if (principal === undefined) throw COMMON_ERRORS.missingApiKey();
  return principal;
}

export function forbidden(principal: Principal, action: string, what: string): GatewayError {
  return new GatewayError("permission_denied", `A key with role '${roleOf(principal)}' may not ${action} ${what}.`, { clientCode: "permission_denied" });
}

/** Throws 403 unless the principal may do `action` on `resource`. */
export function authorize(principal: Principal, action: Action, resource: Resource, what: string): void {
  if (!can(principal, action, resource)) throw forbidden(principal, action, what);
}
