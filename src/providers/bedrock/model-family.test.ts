import { describe, expect, it } from "vitest";
import { quirksOf } from "./model-family.js";

describe("quirksOf", () => {
  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:0", "anthropic", true, true, true, true],
    ["us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic", true, true, true, true],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic", true, true, true, true],
    ["anthropic.claude-v2:1", "anthropic", true, true, true, true],
    ["amazon.nova-pro-v1:0", "amazon", true, true, true, true],
    ["meta.llama3-1-70b-instruct-v1:0", "meta", false, false, false, true],
    ["meta.llama3-8b-instruct-v1:0", "meta", false, false, false, true],
    ["us.meta.llama3-2-11b-instruct-v1:0", "meta", true, false, false, true],
    ["us.meta.llama3-2-3b-instruct-v1:0", "meta", false, false, false, true],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", "meta", true, false, false, true],
    ["mistral.mistral-large-2407-v1:0", "mistral", false, false, false, true],
    ["mistral.mistral-7b-instruct-v0:2", "mistral", false, false, false, false],
    ["mistral.mixtral-8x7b-instruct-v0:1", "mistral", false, false, false, false],
    ["us.mistral.pixtral-large-2502-v1:0", "mistral", true, false, false, true],
    ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0", "meta", false, false, false, true],
    ["arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123", "other", true, true, true, true],
  ])("%s → %s", (model, family, vision, forcedToolChoice, streamingToolUse, systemPrompt) => {
    expect(quirksOf(model)).toEqual({ family, vision, forcedToolChoice, streamingToolUse, systemPrompt });
  });
});
