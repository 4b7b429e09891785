/**
 * Faults a fake upstream can inject, and the bookkeeping that decides which
 * request gets one. A fault comes from `setFault()` (server-wide) or from the
 * `x-fake-fault` request header (one request), so concurrent tests that share
 * a fake never see each other's faults.
 */

/** How many requests a fault applies to; absent means "every request". */
interface Limited {
  times?: number;
}

export type Fault = Limited &
  (
    | {
        /** Answer with this status and an error body in the fake's dialect (or `body`). */
        kind: "status";
        status: number;
        body?: object;
        headers?: Record<string, string>;
      }
    | {
        /** 429 with `retry-after`, rate-limit headers and the dialect's rate-limit body. */
        kind: "rate_limit";
        retryAfterSeconds: number;
      }
    | {
        /** Nothing (not even headers) is sent until `delayMs` has passed. */
        kind: "slow_first_byte";
        delayMs: number;
      }
    | {
        /**
         * Sends `afterChunks` SSE events, then nothing more, keeping the socket
         * open. A non-stream reply stops after half its body (full content-length announced).
         */
        kind: "stall_mid_stream";
        afterChunks: number;
      }
    | {
        /** Destroys the socket without sending a byte. */
        kind: "drop_connection";
      }
    | {
        /** Sends `afterChunks` SSE events (or half a non-stream body), then destroys the socket. */
        kind: "drop_mid_stream";
        afterChunks: number;
      }
    | {
        /** 200 with a truncated JSON body (or, when streaming, one truncated event). */
        kind: "malformed_json";
      }
  );

export type FaultKind = Fault["kind"];

/** The request header a test sets to fault one request. */
export const FAULT_HEADER = "x-fake-fault";

/** Required numeric fields per kind, checked when a fault arrives as untyped JSON. */
const NUMERIC_FIELDS: Record<FaultKind, readonly string[]> = {
  status: ["status"],
  rate_limit: ["retryAfterSeconds"],
  slow_first_byte: ["delayMs"],
  stall_mid_stream: ["afterChunks"],
  drop_connection: [],
  drop_mid_stream: ["afterChunks"],
  malformed_json: [],
};

function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === "string" && Object.hasOwn(NUMERIC_FIELDS, value);
}

/** Validates a fault given as JSON; returns a message naming what is wrong, or the fault. */
export function parseFault(json: string): Fault | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { invalid: `${FAULT_HEADER} is not valid JSON: ${json}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { invalid: `${FAULT_HEADER} must be a JSON object` };
  }
  const record = value as Record<string, unknown>;
  if (!isFaultKind(record.kind)) {
    return { invalid: `${FAULT_HEADER} has unknown kind ${JSON.stringify(record.kind)}` };
  }
  for (const field of [...NUMERIC_FIELDS[record.kind], ...(record.times === undefined ? [] : ["times"])]) {
    const n = record[field];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      return { invalid: `${FAULT_HEADER} kind ${record.kind} needs a non-negative number in ${field}` };
    }
  }
  // Shape checked field by field above; the union's other optional fields are passed through.
  return record as unknown as Fault;
}

/**
 * Hands out faults request by request. A server-wide fault with `times` is
 * cleared once used up; a header fault with `times` is counted per distinct
 * header value, so a test can make "the first two attempts of this request
 * fail" even when a retrying client re-sends the same header.
 */
export class FaultSource {
  #current: Fault | null = null;
  #remaining = Infinity;
  readonly #headerUses = new Map<string, number>();

  set(fault: Fault | null): void {
    this.#current = fault;
    this.#remaining = fault?.times ?? Infinity;
  }

  /** The fault for one request (consuming one use of it), or why its header is invalid. */
  take(header: string | string[] | undefined): Fault | null | { invalid: string } {
    const raw = Array.isArray(header) ? header[0] : header;
    if (raw !== undefined && raw !== "") return this.#takeFromHeader(raw);
    const fault = this.#current;
    if (fault === null) return null;
    this.#remaining -= 1;
    if (this.#remaining <= 0) this.set(null);
    return fault;
  }

  #takeFromHeader(raw: string): Fault | null | { invalid: string } {
    const parsed = parseFault(raw);
    if ("invalid" in parsed || parsed.times === undefined) return parsed;
    const used = this.#headerUses.get(raw) ?? 0;
    this.#headerUses.set(raw, used + 1);
    return used < parsed.times ? parsed : null;
  }
}
