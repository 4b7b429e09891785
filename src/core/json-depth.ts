/**
 * How deep a parsed JSON value nests, checked without recursion: a client
 * that sends `[[[[…]]]]` ten thousand deep must get a 400, not a stack
 * overflow in whichever recursive walk (redaction, JSON.stringify, schema
 * conversion) meets the value first.
 */
import { GatewayError } from "./errors.js";

/** The default of `server.max_json_depth`. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests more than `max` levels of objects and arrays (a
 * scalar is depth 0, `{}` and `[]` are depth 1). Stops at the first branch
 * past the limit; visits each container once otherwise.
 */
export function exceedsDepth(value: unknown, max: number): boolean {
  if (value === null || typeof value !== "object") return false;
  // Parallel stacks of containers and their depths: no closures, no recursion.
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (child !== null && typeof child === "object") {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === "object") {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** The 400 for a value nested past the limit; `what` names it ("The request body", "x-liaison-metadata"). */
export function tooDeepError(what: string, max: number, param: string | null = null): GatewayError {
  return new GatewayError("invalid_request",
    `${what} nests JSON objects and arrays more than ${max} levels deep, the gateway's limit (server.max_json_depth).`,
    { param });
}

/** Throws tooDeepError when `value` nests past `max`. */
export function checkDepth(value: unknown, max: number, what: string, param: string | null = null): void {
  if (exceedsDepth(value, max)) throw tooDeepError(what, max, param);
}
