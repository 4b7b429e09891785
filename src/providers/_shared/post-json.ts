/**
 * How every adapter calls its upstream (the Vercel AI SDK's postJsonToApi):
 * POST a JSON body, hand back a 2xx answer as soon as its headers are in (the
 * body then streams, or is read whole by the caller), and turn any other
 * answer into the provider's own GatewayError. An adapter brings only what
 * differs: the URL, the headers (auth included) and its error mapper.
 */
import type { GatewayError } from "../../core/errors.js";
import type { UpstreamClient, UpstreamHeaders, UpstreamRequest, UpstreamResponse } from "./http.js";
import { parseErrorBody } from "./upstream-error.js";

/**
 * A provider's reading of a non-2xx answer. `body` is the parsed JSON, or
 * `{message}` holding the start of a body that is not JSON (a proxy's page).
 */
export type StatusErrorMapper = (provider: string, status: number, headers: UpstreamHeaders, body: unknown) => GatewayError;

export async function postJson(client: UpstreamClient, request: UpstreamRequest, mapError: StatusErrorMapper): Promise<UpstreamResponse> {
  const res = await client.requestStream(request);
  if (res.status >= 200 && res.status < 300) return res;
  // An error body that breaks off mid-way still leaves the status to go by.
  const text = await res.body.text().catch(() => "");
  throw mapError(client.provider, res.status, res.headers, parseErrorBody(text));
}
