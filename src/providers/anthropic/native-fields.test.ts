/**
 * A /v1/messages request's structured output and Anthropic-only fields, end
 * to end through the codecs: inbound (Anthropic → canonical, the fields kept
 * as sent), settled for the model's upstreams, and outbound (canonical →
 * Anthropic, the fields back as sent) — plus the count_tokens body.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import { countTokensBody, inputTokensOf } from "./count-tokens.js";
import { anthropicRequestToCanonical } from "./inbound/request.js";
import { anthropicOnlyFields, NATIVE_FIELDS, nativeFieldsOf, settleNativeFields, speaksAnthropic } from "./native-fields.js";
import { toAnthropicRequest } from "./request.js";

const schema = { type: "object", properties: { answer: { type: "number" } }, required: ["answer"], additionalProperties: false };
const base = { model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "2+2?" }] };
const structured = { ...base, output_config: { format: { type: "json_schema", schema } } };

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected an error");
}

describe("inbound: output_config and unmapped fields", () => {
  it("maps output_config.format to response_format json_schema, and keeps output_config as sent", () => {
    const req = anthropicRequestToCanonical(structured);
    expect(req.response_format).toEqual({ type: "json_schema", json_schema: { name: "structured_output", schema } });
    expect(nativeFieldsOf(req)).toEqual({ output_config: structured.output_config });
  });

  it("reads the structured-outputs beta's top-level output_format the same way", () => {
    const req = anthropicRequestToCanonical({ ...base, output_format: { type: "json_schema", schema } });
    expect(req.response_format).toEqual({ type: "json_schema", json_schema: { name: "structured_output", schema } });
    expect(anthropicOnlyFields(nativeFieldsOf(req)!)).toEqual([]);
    expect(toAnthropicRequest(req, { stream: false }).body).toMatchObject({ output_format: { type: "json_schema", schema } });
    expect(toAnthropicRequest(req, { stream: false }).body).not.toHaveProperty("tools");
  });

  it("keeps unmapped top-level fields as sent, nulls and mapped fields left out", () => {
    const req = anthropicRequestToCanonical({ ...base, service_tier: "auto", container: null, inference_geo: "us", metadata: { user_id: "u" } });
    expect(req[NATIVE_FIELDS]).toEqual({ service_tier: "auto", inference_geo: "us" });
    expect(nativeFieldsOf(anthropicRequestToCanonical(base))).toBeUndefined();
  });

  it("refuses a malformed output_config, naming the field", () => {
    expect(refusal(() => anthropicRequestToCanonical({ ...base, output_config: { format: { type: "xml" } } })).param).toBe("output_config.format.type");
    expect(refusal(() => anthropicRequestToCanonical({ ...base, output_config: { format: { type: "json_schema", schema: "x" } } })).param).toBe("output_config.format.schema");
  });

  it("takes a count_tokens body without max_tokens", () => {
    const { max_tokens: _m, ...counting } = base;
    expect(anthropicRequestToCanonical(counting, { counting: true })).toEqual({ model: base.model, messages: [{ role: "user", content: "2+2?" }] });
    expect(refusal(() => anthropicRequestToCanonical(counting)).param).toBe("max_tokens");
  });
});

describe("settling the fields for the model's upstreams", () => {
  it("names what only Anthropic honours: everything but output_config.format and a top-level cache_control", () => {
    expect(anthropicOnlyFields({ output_config: { format: {}, effort: "low", task_budget: null }, cache_control: { type: "ephemeral" }, speed: "fast" }))
      .toEqual(["output_config.effort", "speed"]);
  });

  it("keeps them for Anthropic-only models, drops the portable ones elsewhere, refuses the rest by name", () => {
    const kept = anthropicRequestToCanonical({ ...structured, service_tier: "auto" });
    settleNativeFields(kept, () => true);
    expect(nativeFieldsOf(kept)).toEqual({ output_config: structured.output_config, service_tier: "auto" });

    const dropped = anthropicRequestToCanonical({ ...structured, cache_control: { type: "ephemeral" } });
    settleNativeFields(dropped, () => false);
    expect(dropped).not.toHaveProperty(NATIVE_FIELDS);
    expect(dropped.response_format?.type).toBe("json_schema");

    const err = refusal(() => settleNativeFields(anthropicRequestToCanonical({ ...base, service_tier: "auto", speed: "fast" }), () => false));
    expect(err.message).toMatch(/^service_tier, speed: not supported for model 'claude-sonnet-4-6'/);
    expect(err.param).toBe("service_tier");
  });

  it("asks about the upstreams only when there is something to settle", () => {
    let asked = 0;
    settleNativeFields(anthropicRequestToCanonical(base), () => ++asked > 0);
    expect(asked).toBe(0);
    expect(speaksAnthropic({ type: "anthropic" })).toBe(true);
    expect(speaksAnthropic({ type: "openai" })).toBe(false);
  });
});

describe("outbound: the fields go back as sent", () => {
  it("sends output_config as the client did, instead of a forced tool or native format of its own", () => {
    const req = anthropicRequestToCanonical({ ...structured, service_tier: "standard_only" });
    const prepared = toAnthropicRequest(req, { stream: false });
    expect(prepared.body).toMatchObject({ output_config: structured.output_config, service_tier: "standard_only" });
    expect(prepared.body).not.toHaveProperty("tools");
    expect(prepared.jsonTool).toBeUndefined();
  });

  it("without them (a mixed route dropped them), response_format takes the usual path", () => {
    const req = anthropicRequestToCanonical(structured);
    settleNativeFields(req, () => false);
    expect(toAnthropicRequest(req, { stream: false }).jsonTool).toBe("structured_output");
  });

  it("count_tokens gets only the fields counting takes, and answers input_tokens", () => {
    const req = anthropicRequestToCanonical({ ...structured, system: "s", temperature: 0.5, service_tier: "auto", stop_sequences: ["x"] });
    expect(Object.keys(countTokensBody(toAnthropicRequest(req, { stream: false }).body))).toEqual(["model", "messages", "system", "output_config"]);
    expect(inputTokensOf({ input_tokens: 12 }, "claude")).toBe(12);
    expect(refusal(() => inputTokensOf({ tokens: 12 }, "claude")).code).toBe("upstream_error");
  });
});
