/**
 * What differs between the model families behind the Converse API. Converse
 * gives every family one request shape, but not every family accepts every
 * part of it; where Bedrock would only answer with a ValidationException we
 * adapt the request (or refuse it with a clearer message) before sending.
 *
 * Model ids come as base ids (`meta.llama3-1-70b-instruct-v1:0`), inference
 * profile ids with a geography prefix (`us.anthropic.claude-3-5-sonnet-…`,
 * `global.…`), or ARNs. The family is read from the vendor segment; an ARN of
 * a provisioned or custom model does not name it, so it is `other` and the
 * request goes out as is: the upstream decides.
 */

export type ModelFamily = "anthropic" | "meta" | "mistral" | "amazon" | "other";

export interface FamilyQuirks {
  family: ModelFamily;
  /** Accepts image blocks. */
  vision: boolean;
  /** Accepts toolChoice `any` and `tool` (OpenAI's "required" and a named function). */
  forcedToolChoice: boolean;
  /** Accepts toolConfig on ConverseStream; without it a streamed tool request is served by Converse. */
  streamingToolUse: boolean;
  /** Accepts `system` blocks; without it the system text leads the first user message. */
  systemPrompt: boolean;
}

const VENDORS: Record<string, ModelFamily> = { anthropic: "anthropic", meta: "meta", mistral: "mistral", amazon: "amazon" };

/** The `vendor.model` part of an id: drops an ARN's resource prefix and a geography prefix (`us.`, `eu.`, `apac.`, `global.`, …). */
function baseModelId(modelId: string): string {
  const resource = modelId.startsWith("arn:") ? (modelId.split("/").pop() ?? "") : modelId;
  const parts = resource.split(".");
  return parts.length > 2 && VENDORS[parts[1] ?? ""] !== undefined ? parts.slice(1).join(".") : resource;
}

// Llama: only Llama 3.2 11B/90B and Llama 4 read images. Mistral: only Pixtral.
// The lists name the text-only models, so a new model is not refused by us.
const TEXT_ONLY_LLAMA = /^meta\.llama(2-|3-(8|70)b|3-1-|3-2-(1|3)b|3-3-)/;
const TEXT_ONLY_MISTRAL = /^mistral\.(mistral|mixtral)/;
// Mistral 7B Instruct and Mixtral 8x7B take no system prompt in Converse.
const NO_SYSTEM_MISTRAL = /^mistral\.(mistral-7b|mixtral-8x7b)/;

export function quirksOf(modelId: string): FamilyQuirks {
  const base = baseModelId(modelId);
  const family = VENDORS[base.split(".")[0] ?? ""] ?? "other";
  switch (family) {
    case "meta":
      return { family, vision: !TEXT_ONLY_LLAMA.test(base), forcedToolChoice: false, streamingToolUse: false, systemPrompt: true };
    case "mistral":
      return {
        family,
        vision: !TEXT_ONLY_MISTRAL.test(base),
        forcedToolChoice: false,
        streamingToolUse: false,
        systemPrompt: !NO_SYSTEM_MISTRAL.test(base),
      };
    default:
      return { family, vision: true, forcedToolChoice: true, streamingToolUse: true, systemPrompt: true };
  }
}

export const FAMILY_NAMES: Record<ModelFamily, string> = {
  anthropic: "Anthropic Claude",
  meta: "Meta Llama",
  mistral: "Mistral",
  amazon: "Amazon Nova/Titan",
  other: "this",
};
