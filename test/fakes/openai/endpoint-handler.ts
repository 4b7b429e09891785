/**
 * The one shape every OpenAI-wire endpoint handler has. Handlers get a body
 * that is already known to be a JSON object and a model that is already
 * known to exist; auth, routing and model lookup belong to the fake's front
 * (OpenAI or Azure URL scheme), so the same handlers serve both.
 */
import type { FakeBehaviour } from "../_shared/fake-options.js";
import type { IdSource } from "../_shared/fake-ids.js";
import type { Reply } from "../_shared/reply.js";
import type { WireAnnotations } from "../_shared/wire-dialect.js";

export interface EndpointInput {
  body: Record<string, unknown>;
  /** What responses report in `model` (Azure: the deployment name). */
  model: string;
  behaviour: FakeBehaviour;
  ids: IdSource;
  annotations: WireAnnotations | undefined;
}

export type EndpointHandler = (input: EndpointInput) => Reply;

/** `system_fingerprint` on every response, fixed so recorded bodies stay stable. */
export const SYSTEM_FINGERPRINT = "fp_fake0000001";

/** Reads an optional positive integer field; undefined when absent, null when invalid. */
export function optionalPositiveInt(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : null;
}

/** stream_options.include_usage, the switch for the final usage chunk. */
export function includeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return typeof options === "object" && options !== null && (options as Record<string, unknown>).include_usage === true;
}
