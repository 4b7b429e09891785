/**
 * A request as the fakes see it: read in full and parsed once, then handed to
 * routing and kept (when recording) for tests to assert on.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was no body or it was not JSON. */
  body: unknown;
  rawBody: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export interface FakeRequest extends RecordedRequest {
  /** True when a body was sent but is not valid JSON (the endpoint answers 400). */
  malformedBody: boolean;
}

export async function readFakeRequest(req: IncomingMessage): Promise<FakeRequest> {
  const receivedAt = Date.now();
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const rawBody = Buffer.concat(parts).toString("utf8");
  let body: unknown;
  let malformedBody = false;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      malformedBody = true;
    }
  }
  const url = new URL(req.url ?? "/", "http://fake.invalid");
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
    rawBody,
    receivedAt,
    malformedBody,
  };
}

/** The body as a JSON object, or undefined when it is anything else. */
export function bodyObject(request: FakeRequest): Record<string, unknown> | undefined {
  const { body } = request;
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}
