/**
 * Bedrock's error answers: the status, the error's name in
 * `x-amzn-errortype` (with Coral's namespace suffix) and `{"message": "..."}`
 * as the body, worded as the service words them.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { jsonReply, type Reply } from "../_shared/reply.js";

const NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/";

/** The exception Bedrock uses for a status, for status faults that do not name one. */
const TYPE_FOR_STATUS: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

const MESSAGE_FOR_TYPE: Record<string, string> = {
  ValidationException: "The request failed validation.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: "Model not found.",
  ModelTimeoutException: "Model has timed out in processing the request. Try your request again.",
  ModelErrorException: "The model encountered an error processing the request.",
  ModelNotReadyException: "Model is not ready to serve inference requests. Try again later.",
  ThrottlingException: "Too many requests, please wait before trying again.",
  InternalServerException: "The server encountered an internal error. Try your request again.",
  ServiceUnavailableException: "Bedrock is unable to process your request.",
};

export function errorTypeForStatus(status: number): string {
  return TYPE_FOR_STATUS[status] ?? (status >= 500 ? "InternalServerException" : "ValidationException");
}

export function bedrockError(status: number, type: string, message?: string, headers: OutgoingHttpHeaders = {}): Reply {
  return jsonReply(
    status,
    { message: message ?? MESSAGE_FOR_TYPE[type] ?? type },
    { "x-amzn-errortype": `${type}:${NAMESPACE}`, ...headers },
  );
}

export const bedrockErrors = {
  validation: (message: string): Reply => bedrockError(400, "ValidationException", message),
  modelNotFound: (): Reply => bedrockError(404, "ResourceNotFoundException", "Model not found."),
  unknownOperation: (): Reply => bedrockError(404, "UnknownOperationException", "Unknown operation."),
  throttled: (retryAfterSeconds?: number): Reply =>
    bedrockError(429, "ThrottlingException", undefined, retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
  missingAuth: (): Reply => bedrockError(403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
  unknownKey: (): Reply => bedrockError(403, "UnrecognizedClientException", "The security token included in the request is invalid."),
  badSignature: (): Reply =>
    bedrockError(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ),
  expired: (message: string): Reply => bedrockError(403, "InvalidSignatureException", message),
  badApiKey: (): Reply => bedrockError(403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid."),
  internal: (message: string): Reply => bedrockError(500, "InternalServerException", message),
};
