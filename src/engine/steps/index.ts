/**
 * The engine's pipeline (DESIGN.md §1), in order, outermost first — read
 * this list to know what happens to a request, the way fastify names its
 * lifecycle. Each step wraps the next; the innermost send reaches the
 * upstream. Work a step does once the answer is complete runs in the
 * reverse order (innermost first), as nested `finally` blocks would.
 *
 *   bookkeeping  counts the request in flight, relays streams, settles the
 *                call when its answer is complete, records the outcome
 *                (metrics, spans, the log row) off the request path
 *   admission    the caller's key and team: model allowed, budget left,
 *                rpm / tpm / parallel limits (auth happened in the server)
 *   cache        a hit answers at once; a miss is stored once complete
 *   cost         the answer's usage, priced
 *   attempts     routing: targets in the strategy's order, retries,
 *                fallbacks, circuit breakers, upstream limits (the send)
 */
import type { EngineParts } from "../engine-parts.js";
import type { Send, Step } from "../pipeline.js";
import { admission } from "./admission.js";
import { attempts } from "./attempts.js";
import { bookkeeping } from "./bookkeeping.js";
import { cache } from "./cache.js";
import { cost } from "./cost.js";

export interface NamedStep {
  readonly name: string;
  readonly step: (parts: EngineParts) => Step;
}

export const PIPELINE: readonly NamedStep[] = [
  { name: "bookkeeping", step: bookkeeping },
  { name: "admission", step: admission },
  { name: "cache", step: cache },
  { name: "cost", step: cost },
];

/** The innermost send, which every step wraps. */
export const SEND: (parts: EngineParts) => Send = attempts;
