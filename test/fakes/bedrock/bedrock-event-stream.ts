/**
 * AWS event-stream frames as Bedrock writes them, encoded with the AWS SDKs'
 * own codec (prelude, headers, payload, CRC32s). Event payloads carry Bedrock's
 * `p` padding field, which hides token lengths in frame sizes; the fake pads
 * deterministically so recorded streams stay stable.
 */
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export const EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream";

function stringHeaders(values: Record<string, string>): MessageHeaders {
  const out: MessageHeaders = {};
  for (const [name, value] of Object.entries(values)) out[name] = { type: "string", value };
  return out;
}

/** Padding whose length varies with the payload, like Bedrock's. */
export function padding(payload: object): string {
  const length = 1 + (JSON.stringify(payload).length % PADDING.length);
  return PADDING.slice(0, length);
}

/** One `:message-type: event` frame; `p` padding added unless `pad` is false. */
export function eventFrame(eventType: string, payload: Record<string, unknown>, pad = true): Buffer {
  const body = pad ? sortedKeys({ ...payload, p: padding(payload) }) : payload;
  return Buffer.from(
    codec.encode({
      headers: stringHeaders({ ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" }),
      body: fromUtf8(JSON.stringify(body)),
    }),
  );
}

/** One `:message-type: exception` frame (throttlingException, modelStreamErrorException, …). */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return Buffer.from(
    codec.encode({
      headers: stringHeaders({ ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" }),
      body: fromUtf8(JSON.stringify({ message })),
    }),
  );
}

/** Bedrock serializes members in alphabetical order; so does the fake, top level only. */
export function sortedKeys<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}
