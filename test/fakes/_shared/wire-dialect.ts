/**
 * What differs between providers that speak the OpenAI wire format: error
 * bodies, standard response headers and extra fields in responses. The
 * endpoint handlers are shared; a dialect is the only thing a new
 * OpenAI-compatible fake has to supply.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { FakeRequest } from "./fake-request.js";
import type { ChatChunk, ChatCompletion, TextCompletion } from "../openai/openai-wire-types.js";
import type { Reply } from "./reply.js";

/** Extra fields a provider adds to OpenAI-shaped bodies (Azure's content-filter verdicts, OpenAI's obfuscation). */
export interface WireAnnotations {
  /** Non-stream chat and text completion bodies. */
  completion?(body: ChatCompletion | TextCompletion): void;
  /** Events sent before the first chat delta. */
  chatStreamPrelude?(): object[];
  /** Every chat stream chunk, in order; `request` is the parsed request body. */
  chatChunk?(chunk: ChatChunk, request: Record<string, unknown>): void;
}

export interface WireDialect {
  /** Headers on every response: request ids, rate-limit counters. */
  responseHeaders(sequence: number, processingMs: number): OutgoingHttpHeaders;
  /** Body of a `status` fault that did not bring its own body. */
  statusErrorBody(status: number): object;
  /** The provider's 429 (headers and body) for a `rate_limit` fault. */
  rateLimited(retryAfterSeconds: number, request: FakeRequest): Reply;
  /** A 400 for a request the fake cannot read (bad `x-fake-fault` header). */
  badRequest(message: string): Reply;
  /** A 500 for a bug in the fake itself, so it shows up as an error, not a hang. */
  internalError(message: string): Reply;
  annotations?: WireAnnotations;
}
