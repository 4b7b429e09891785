/**
 * CORS (server.cors), so browser apps can call the gateway: a preflight
 * (OPTIONS with Access-Control-Request-Method) is answered at once, without
 * a key — it carries none, by design — and answers to an allowed origin
 * say so, exposing the gateway's own headers. Without server.cors no origin
 * is allowed: preflights still get their answer (204), just without an
 * Access-Control-Allow-Origin, and the browser refuses the call.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config/schema.js";

const METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/** Headers a browser may read from an answer (besides the CORS-safelisted ones). */
const EXPOSED = [
  "x-request-id", "request-id", "retry-after", "mcp-session-id",
  "x-liaison-provider", "x-liaison-model", "x-liaison-attempts", "x-liaison-cache", "x-liaison-cost-usd",
  "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
].join(", ");

export interface Cors {
  /** Answers a preflight; false when `req` is not one. */
  preflight(req: IncomingMessage, res: ServerResponse): boolean;
  /** Marks an answer to an allowed origin as readable by it. */
  decorate(req: IncomingMessage, res: ServerResponse): void;
}

export function createCors(settings: Config["server"]["cors"]): Cors {
  const any = settings?.origins === "*";
  const allowed = new Set(Array.isArray(settings?.origins) ? settings.origins.map((o) => o.toLowerCase()) : []);
  const maxAge = String(settings?.max_age_s ?? 600);
  const originOf = (req: IncomingMessage): string | undefined => {
    const origin = req.headers.origin;
    if (typeof origin !== "string") return undefined;
    return any || allowed.has(origin.toLowerCase()) ? origin : undefined;
  };
  return {
    preflight(req, res) {
      if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) return false;
      const origin = originOf(req);
      const headers: Record<string, string> = { vary: "Origin", "content-length": "0" };
      if (origin !== undefined) {
        headers["access-control-allow-origin"] = any ? "*" : origin;
        headers["access-control-allow-methods"] = METHODS;
        // Whatever the page's client sends (authorization, SDK headers): the key is checked on the call itself.
        const asked = req.headers["access-control-request-headers"];
        if (typeof asked === "string" && asked) headers["access-control-allow-headers"] = asked;
        headers["access-control-max-age"] = maxAge;
      }
      res.writeHead(204, headers);
      res.end();
      // A preflight has no body; anything sent anyway is not read.
      req.resume();
      return true;
    },
    decorate(req, res) {
      const origin = originOf(req);
      if (origin === undefined) return;
      res.setHeader("access-control-allow-origin", any ? "*" : origin);
      res.setHeader("access-control-expose-headers", EXPOSED);
      res.setHeader("vary", "Origin");
    },
  };
}
