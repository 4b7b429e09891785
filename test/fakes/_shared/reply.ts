/**
 * What an endpoint handler returns: a description of the HTTP answer, not the
 * act of sending it. Keeping handlers pure lets one writer apply every fault
 * (delays, stalls, drops, truncation) to every endpoint, and lets fast mode
 * cache a reply's bytes and send them again.
 */
import type { OutgoingHttpHeaders } from "node:http";

/** Bytes on the wire; strings are written as UTF-8. */
export type Chunk = string | Buffer;

export interface JsonReply {
  type: "json";
  status: number;
  headers: OutgoingHttpHeaders;
  body: Chunk;
}

export interface SseReply {
  type: "sse";
  status: number;
  headers: OutgoingHttpHeaders;
  /** Complete SSE frames (`data: ...\n\n`), each one written separately. */
  frames: Chunk[];
  /** All frames in one buffer, precomputed by fast mode for unpaced, fault-free sends. */
  joined?: Buffer;
}

export type Reply = JsonReply | SseReply;

const JSON_HEADERS: OutgoingHttpHeaders = { "content-type": "application/json" };
const SSE_HEADERS: OutgoingHttpHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
};

export function jsonReply(status: number, value: unknown, headers: OutgoingHttpHeaders = {}): JsonReply {
  return { type: "json", status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

/** One SSE frame in OpenAI's framing: a single `data:` line and a blank line. */
export function sseFrame(data: string): string {
  return `data: ${data}\n\n`;
}

/** OpenAI-style event stream: one frame per event, then `data: [DONE]`. */
export function sseReply(events: readonly unknown[]): SseReply {
  const frames = events.map((event) => sseFrame(JSON.stringify(event)));
  frames.push(sseFrame("[DONE]"));
  return { type: "sse", status: 200, headers: { ...SSE_HEADERS }, frames };
}

/** Returns the reply with `headers` merged under its own (the reply's headers win). */
export function withHeaders(reply: Reply, headers: OutgoingHttpHeaders): Reply {
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

/**
 * Converts a reply to Buffers once so it can be sent many times without
 * re-encoding. Frames stay separate too, so a fault can still cut a cached
 * stream after N events.
 */
export function freezeReply(reply: Reply): Reply {
  if (reply.type === "json") return { ...reply, body: Buffer.from(reply.body) };
  const frames = reply.frames.map((frame) => Buffer.from(frame));
  return { ...reply, frames, joined: Buffer.concat(frames) };
}
