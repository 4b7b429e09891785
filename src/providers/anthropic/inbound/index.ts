export { anthropicRequestToCanonical, type InboundOptions } from "./request.js";
export { canonicalResponseToAnthropic, stopReasonOf, anthropicUsageOf } from "./response.js";
export { CanonicalToAnthropicStream, anthropicSSE, type CanonicalToAnthropicOptions } from "./stream.js";
export { toAnthropicError, anthropicErrorType } from "./errors.js";
export { ANTHROPIC_TYPE, settleNativeFields, speaksAnthropic } from "../native-fields.js";
export type { AnthropicStreamEvent, AnthropicMessage, AnthropicErrorBody } from "../wire-types.js";
