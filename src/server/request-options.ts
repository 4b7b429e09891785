/**
 * Gateway request headers (DESIGN.md §2) → engine call options, validated:
 * a malformed header is the client's mistake and gets a 400 that says so.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { GatewayError } from "../core/errors.js";
import { cacheMode } from "../cache/index.js";
import type { CallOptions } from "../engine/call-options.js";
import { CallbackLink } from "../core/client-link.js";
import type { BudgetSubject } from "../engine/quotas/budgets.js";
import type { QuotaSubject } from "../engine/quotas/limits.js";
import type { LimitFields } from "../store/keys/types.js";
import type { Principal } from "../keys/principal.js";
import { DEFAULT_MAX_JSON_DEPTH, exceedsDepth } from "../core/json-depth.js";

const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_METADATA_BYTES = 8 * 1024;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What the engine needs of one HTTP request. */
export interface CallSource {
  id: string;
  principal: Principal;
  req: { headers: IncomingHttpHeaders };
  res: ServerResponse;
  /** server.max_json_depth: the x-liaison-metadata header may nest no deeper. */
  maxJsonDepth?: number;
}

export function callOptions(call: CallSource): CallOptions {
  const options: CallOptions = { requestId: call.id, client: clientLink(call.res) };
  const principal = call.principal;
  // The request log's key_id: the virtual key that made the call (null for the admin key).
  if (principal.kind === "key") {
    const { key, team } = principal;
    options.keyId = key.id;
    options.teamId = key.team_id;
    // The key's own limits and budget, and its team's: a request counts against both.
    options.subjects = [subjectOf(`key:${key.id}`, key), ...(team ? [subjectOf(`team:${team.id}`, team)] : [])];
  }
  // W3C trace context: continued by the request's spans and passed upstream (a repeated header is ignored, as the spec says).
  const h = call.req.headers;
  const traceparent = h.traceparent;
  if (typeof traceparent === "string") options.traceparent = traceparent;
  // Parsed only when the client sent a control: most requests carry none.
  if (h["cache-control"] !== undefined || h["x-liaison-cache"] !== undefined || h["x-liaison-cache-ttl"] !== undefined) options.cache = cacheMode(h);
  const timeout = header(h, "x-liaison-timeout-ms");
  if (timeout !== undefined) {
    const n = Number(timeout);
    if (!Number.isInteger(n) || n < 1 || n > MAX_TIMEOUT_MS) {
      throw new GatewayError("invalid_request", `x-liaison-timeout-ms must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}.`, { param: "x-liaison-timeout-ms" });
    }
    options.timeoutMs = n;
  }
  const metadata = header(h, "x-liaison-metadata");
  if (metadata !== undefined) {
    let parsed: unknown;
    try {
      if (metadata.length > MAX_METADATA_BYTES) throw new Error("too large");
      parsed = JSON.parse(metadata);
    } catch {
      parsed = undefined;
    }
    const maxDepth = call.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || exceedsDepth(parsed, maxDepth)) {
      throw new GatewayError("invalid_request",
        `x-liaison-metadata must be a JSON object of at most ${MAX_METADATA_BYTES} bytes, nested at most ${maxDepth} levels deep (server.max_json_depth).`,
        { param: "x-liaison-metadata" });
    }
    options.metadata = parsed as Record<string, unknown>;
  }
  return options;
}

function subjectOf(id: string, r: LimitFields): QuotaSubject & BudgetSubject {
  return {
    id,
    limits: {
      ...(r.rpm !== null ? { rpm: r.rpm } : {}),
      ...(r.tpm !== null ? { tpm: r.tpm } : {}),
      ...(r.max_parallel !== null ? { maxParallel: r.max_parallel } : {}),
      ...(r.models !== null ? { models: r.models } : {}),
    },
    ...(r.budget_usd !== null ? { budgetUsd: r.budget_usd, period: r.budget_period ?? "total" } : {}),
  };
}

/** Aborted when the client closes the connection before the response is complete. */
function clientLink(res: ServerResponse): CallbackLink {
  const link = new CallbackLink();
  res.once("close", () => {
    if (!res.writableFinished) link.abort();
  });
  return link;
}
