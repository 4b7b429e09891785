/**
 * POST /v1/feedback {request_id, score: 0…1 | correct: bool, comment?}:
 * how good an answer was, kept with the request's log row (feedback_score,
 * feedback_comment) and, for a `learned` or `cascade` model, taught to its
 * running router at once (src/engine/routing/router-feedback.ts).
 *
 * `request_id` is the answer's x-request-id. A key rates only its own
 * team's requests (its own, without a team); someone else's request and
 * an unknown id are both 404, as for stored responses. A row is written a
 * moment after its answer (logging.flush_interval_ms): feedback sent at
 * once waits for it briefly before answering 404.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import type { Principal } from "../../keys/principal.js";
import type { LogRow } from "../../store/types.js";
import { principalOf } from "../authorize.js";

const MAX_COMMENT = 4_000;

interface FeedbackBody {
  request_id: string;
  score: number;
  comment: string | null;
}

function parseBody(body: unknown): FeedbackBody {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== "object" || Array.isArray(b)) throw invalid("The body must be a JSON object.", null);
  if (typeof b.request_id !== "string" || !b.request_id) throw invalid("request_id is required: the answer's x-request-id.", "request_id");
  let score: number;
  if (b.score !== undefined) {
    if (typeof b.score !== "number" || !(b.score >= 0 && b.score <= 1)) throw invalid("score must be a number from 0 to 1.", "score");
    score = b.score;
  } else if (b.correct !== undefined) {
    if (typeof b.correct !== "boolean") throw invalid("correct must be true or false.", "correct");
    score = b.correct ? 1 : 0;
  } else {
    throw invalid("Send score (0 to 1) or correct (true or false).", "score");
  }
  if (b.comment !== undefined && b.comment !== null && typeof b.comment !== "string") throw invalid("comment must be a string.", "comment");
  const comment = typeof b.comment === "string" ? b.comment.slice(0, MAX_COMMENT) : null;
  return { request_id: b.request_id, score, comment };
}

const invalid = (message: string, param: string | null) => new GatewayError("invalid_request", message, { param });
const notFound = (id: string) => new GatewayError("route_not_found", `No request with id '${id}' to rate.`, { clientCode: "request_not_found", param: "request_id" });

function mayRate(principal: Principal, row: LogRow): boolean {
  if (principal.kind === "admin") return true;
  const team = principal.key.team_id;
  return team ? row.team_id === team : row.key_id === principal.key.id;
}

export function registerFeedbackRoutes(app: FastifyInstance, engine: Engine): void {
  const flushMs = engine.config.logging.flush_interval_ms;
  app.post("/v1/feedback", async (req, reply) => {
    const principal = principalOf(req);
    const body = parseBody(req.body);
    const store = engine.store;
    if (!store?.setFeedback) throw notFound(body.request_id);
    // A row is written within a flush interval or two of its answer.
    let row = await store.getLog(body.request_id);
    for (let waited = 0, step = 25; !row && waited < 3 * flushMs + 200; waited += step, step *= 2) {
      await sleep(step);
      row = await store.getLog(body.request_id);
    }
    if (!row || !mayRate(principal, row)) throw notFound(body.request_id);
    if (!(await store.setFeedback(row.id, { score: body.score, comment: body.comment }))) throw notFound(body.request_id);
    let learned = false;
    if (row.model && row.provider && row.upstream_model) {
      try {
        const strategy = engine.router.resolve(row.model).strategy as { feedback?: (f: { requestId: string; served: string; score: number }) => Promise<boolean> };
        if (strategy.feedback) learned = await strategy.feedback({ requestId: row.id, served: `${row.provider}/${row.upstream_model}`, score: body.score });
      } catch {
        // The model is no longer configured: the score is kept, there is nothing to teach.
      }
    }
    return reply.send({ request_id: row.id, score: body.score, comment: body.comment, learned });
  });
}
