/**
 * The models the Bedrock fake serves and what each accepts, as in AWS's
 * "Supported models and model features" table for the Converse API. The
 * table is the fake's own (not the gateway's), so a quirk the adapter
 * forgets shows up as the ValidationException Bedrock would send.
 */

export interface FakeBedrockModel {
  vendor: "anthropic" | "meta" | "mistral" | "amazon";
  vision: boolean;
  tools: boolean;
  /** toolChoice `any` and `tool`. */
  forcedToolChoice: boolean;
  /** toolConfig on ConverseStream. */
  streamingToolUse: boolean;
  systemPrompt: boolean;
  /** Returns reasoningContent when additionalModelRequestFields.thinking is enabled. */
  reasoning: boolean;
}

const claude: FakeBedrockModel = { vendor: "anthropic", vision: true, tools: true, forcedToolChoice: true, streamingToolUse: true, systemPrompt: true, reasoning: true };
const nova: FakeBedrockModel = { vendor: "amazon", vision: true, tools: true, forcedToolChoice: true, streamingToolUse: true, systemPrompt: true, reasoning: false };
const llamaText: FakeBedrockModel = { vendor: "meta", vision: false, tools: true, forcedToolChoice: false, streamingToolUse: false, systemPrompt: true, reasoning: false };
const llamaVision: FakeBedrockModel = { ...llamaText, vision: true };
const mistralLarge: FakeBedrockModel = { vendor: "mistral", vision: false, tools: true, forcedToolChoice: false, streamingToolUse: false, systemPrompt: true, reasoning: false };
const mistralInstruct: FakeBedrockModel = { ...mistralLarge, tools: false, systemPrompt: false };

export const DEFAULT_BEDROCK_MODELS: Readonly<Record<string, FakeBedrockModel>> = {
  "anthropic.claude-3-haiku-20240307-v1:0": claude,
  "anthropic.claude-3-5-sonnet-20240620-v1:0": claude,
  "us.anthropic.claude-3-5-sonnet-20241022-v2:0": claude,
  "us.anthropic.claude-3-7-sonnet-20250219-v1:0": claude,
  "us.anthropic.claude-sonnet-4-20250514-v1:0": claude,
  "amazon.nova-pro-v1:0": nova,
  "us.amazon.nova-lite-v1:0": nova,
  "meta.llama3-1-70b-instruct-v1:0": llamaText,
  "us.meta.llama3-3-70b-instruct-v1:0": llamaText,
  "us.meta.llama3-2-11b-instruct-v1:0": llamaVision,
  "mistral.mistral-large-2407-v1:0": mistralLarge,
  "mistral.mistral-7b-instruct-v0:2": mistralInstruct,
  "mistral.mixtral-8x7b-instruct-v0:1": mistralInstruct,
};
