import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "../core/errors.js";

/** The caller's key from `Authorization: Bearer …` or `x-api-key` (Anthropic clients). */
export function presentedKey(req: FastifyRequest): string | undefined {
  return bearerKey(req.headers);
}

/** The same, from a request's headers. */
export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim();
  const x = headers["x-api-key"];
  return typeof x === "string" && x ? x : undefined;
}

/**
 * Checks the admin key in constant time (hashing both sides first makes the
 * comparison length-independent). No admin key configured = dev mode, open.
 */
export function createAuthCheck(adminKey: string | undefined): (req: FastifyRequest) => void {
  if (!adminKey) return () => undefined;
  const expected = createHash("sha256").update(adminKey).digest();
  return (req) => {
    const key = presentedKey(req);
    if (!key) {
      throw new GatewayError("invalid_api_key", "Missing API key: send 'Authorization: Bearer <key>' (or 'x-api-key: <key>').", { clientCode: "invalid_api_key" });
    }
    const got = createHash("sha256").update(key).digest();
    if (!timingSafeEqual(got, expected)) {
      throw new GatewayError("invalid_api_key", "Incorrect API key provided.", { clientCode: "invalid_api_key" });
    }
  };
}
