/**
 * Model names become response headers (`x-liaison-model`) and upstream URL
 * segments (Azure deployments, Bedrock model ids): a name that cannot be
 * either is the client's mistake and gets a 400 before anything is sent.
 */
import { GatewayError } from "./errors.js";

/** What an HTTP header value may hold (Node refuses the rest with ERR_INVALID_CHAR), minus tab. */
const UNSAFE_CHAR = /[^\x20-\x7e\x80-\xff]/;

/** Longer names are refused: the name is echoed in x-liaison-model, and clients refuse oversized headers. */
export const MAX_MODEL_NAME_LENGTH = 512;

/** Why `name` cannot be a model name, or undefined when it can. */
export function modelNameProblem(name: string): string | undefined {
  if (name.length > MAX_MODEL_NAME_LENGTH) return `it is longer than ${MAX_MODEL_NAME_LENGTH} characters`;
  if (UNSAFE_CHAR.test(name)) return "it holds a control character, NUL or a character above U+00FF";
  // A "." or ".." segment would walk up an upstream URL path (/openai/deployments/../…).
  if (name === "." || name === ".." || name.startsWith("./") || name.startsWith("../") || name.includes("/./") || name.includes("/../") || name.endsWith("/.") || name.endsWith("/..")) {
    return "it holds a '.' or '..' path segment";
  }
  return undefined;
}

/** Throws a 400 naming the problem when `name` cannot be a model name. */
export function checkModelName(name: string, param = "model"): void {
  const problem = modelNameProblem(name);
  if (problem) throw new GatewayError("invalid_request", `Invalid model name: ${problem}.`, { param });
}
