/**
 * Fields of a `/v1/messages` request that the canonical (OpenAI-shaped)
 * request has no room for: carried beside it, as the client sent them, so an
 * Anthropic upstream still gets them (DESIGN.md §7: `output_config` goes to
 * an Anthropic upstream as sent).
 *
 * The inbound codec puts every top-level field it does not map, and
 * `output_config` whole, under NATIVE_FIELDS. The server route then settles
 * them (settleNativeFields): kept when every upstream the model can reach
 * speaks Anthropic; otherwise a field no other provider can honour is a 400
 * naming it, and the rest are dropped (`output_config.format`, or the older
 * top-level `output_format`, reaches the others as `response_format:
 * json_schema`; a top-level `cache_control` is a caching hint, as ignorable
 * as the block-level ones). The adapter merges
 * the kept fields into the body it sends.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest } from "../../core/types.js";
import type { ProviderAdapter } from "../types.js";

/** The canonical request's key for them. */
export const NATIVE_FIELDS = "anthropic_fields";

/** The adapter type of this folder's adapter (also the key of its CallContext.providerHeaders). */
export const ANTHROPIC_TYPE = "anthropic";

export type NativeFields = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function nativeFieldsOf(request: ChatRequest): NativeFields | undefined {
  const fields = request[NATIVE_FIELDS];
  return isRecord(fields) ? fields : undefined;
}

/** Whether an adapter speaks Anthropic's wire protocol (and so can take the fields as sent). */
export function speaksAnthropic(adapter: Pick<ProviderAdapter, "type">): boolean {
  return adapter.type === ANTHROPIC_TYPE;
}

/** The fields (dotted paths) only an Anthropic upstream can honour. */
export function anthropicOnlyFields(fields: NativeFields): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (name === "cache_control" || name === "output_format") continue;
    if (name === "output_config" && isRecord(value)) {
      for (const [key, v] of Object.entries(value)) if (key !== "format" && v !== null && v !== undefined) out.push(`output_config.${key}`);
      continue;
    }
    out.push(name);
  }
  return out;
}

/**
 * Keeps the native fields when `onlyAnthropic()` says every upstream of the
 * model speaks Anthropic; otherwise refuses the request when it holds a field
 * only Anthropic honours, and drops the fields when it does not.
 */
export function settleNativeFields(request: ChatRequest, onlyAnthropic: () => boolean): void {
  const fields = nativeFieldsOf(request);
  if (!fields || onlyAnthropic()) return;
  const refused = anthropicOnlyFields(fields);
  if (refused.length > 0) {
    const list = refused.join(", ");
    throw new GatewayError("invalid_request",
      `${list}: not supported for model '${request.model}', which is served by providers other than Anthropic; only an Anthropic upstream can honour ${refused.length === 1 ? "this field" : "these fields"}. Remove ${refused.length === 1 ? "it" : "them"}, or send the request to a model that only Anthropic serves.`,
      { param: refused[0] ?? null });
  }
  delete request[NATIVE_FIELDS];
}
