import { describe, expect, it } from "vitest";
import { ERROR_CATALOG, GatewayError } from "../../../core/errors.js";
import { toAnthropicError } from "./errors.js";

describe("toAnthropicError", () => {
  it("maps every catalog entry to an Anthropic error type", () => {
    const types = Object.entries(ERROR_CATALOG).map(([code, e]) => [code, toAnthropicError(e.status, e.type, "m").error.type]);
    expect(Object.fromEntries(types)).toEqual({
      invalid_json: "invalid_request_error",
      invalid_request: "invalid_request_error",
      unsupported_media_type: "invalid_request_error",
      body_too_large: "request_too_large",
      request_timeout: "invalid_request_error",
      headers_too_large: "invalid_request_error",
      model_not_found: "not_found_error",
      route_not_found: "not_found_error",
      method_not_allowed: "invalid_request_error",
      unsupported_operation: "invalid_request_error",
      invalid_config: "invalid_request_error",
      content_refused: "invalid_request_error",
      invalid_api_key: "authentication_error",
      permission_denied: "permission_error",
      rate_limited: "rate_limit_error",
      upstream_error: "api_error",
      upstream_unreachable: "api_error",
      upstream_timeout: "timeout_error",
      upstream_unavailable: "overloaded_error",
      stream_interrupted: "api_error",
      client_closed: "api_error",
      shutting_down: "overloaded_error",
      internal_error: "api_error",
    });
  });

  it("builds Anthropic's body, from a GatewayError too", () => {
    const err = new GatewayError("rate_limited", "slow down");
    expect(toAnthropicError(err.status, err.type, err.message, "req_1")).toEqual({
      type: "error", error: { type: "rate_limit_error", message: "slow down" }, request_id: "req_1",
    });
    expect(toAnthropicError(418, "weird", "teapot")).toEqual({ type: "error", error: { type: "invalid_request_error", message: "teapot" } });
    expect(toAnthropicError(529, "upstream_error", "busy").error.type).toBe("overloaded_error");
  });

  it("lets the status decide where Anthropic's type follows from it (an OpenAI upstream's 404 keeps OpenAI's type)", () => {
    expect(toAnthropicError(404, "invalid_request_error", "The model does not exist").error.type).toBe("not_found_error");
    expect(toAnthropicError(401, "invalid_request_error", "bad key").error.type).toBe("authentication_error");
    expect(toAnthropicError(429, "insufficient_quota", "quota").error.type).toBe("rate_limit_error");
    expect(toAnthropicError(400, "billing_error", "pay").error.type).toBe("billing_error");
  });
});
