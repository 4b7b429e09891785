/**
 * Sends a Reply, applying the transport-level faults (slow first byte, stall,
 * drop, truncation) the same way for every endpoint. Every wait ends early
 * when the connection closes, so a closed fake never leaves timers behind.
 */
import type { ServerResponse } from "node:http";
import type { Fault } from "./faults.js";
import type { Chunk, JsonReply, Reply, SseReply } from "./reply.js";

/** Fault kinds the writer handles; the rest are answered before a reply exists. */
type TransportFault = Extract<Fault, { kind: "slow_first_byte" | "stall_mid_stream" | "drop_mid_stream" | "malformed_json" }>;

export function isTransportFault(fault: Fault | null): fault is TransportFault {
  return (
    fault !== null &&
    (fault.kind === "slow_first_byte" ||
      fault.kind === "stall_mid_stream" ||
      fault.kind === "drop_mid_stream" ||
      fault.kind === "malformed_json")
  );
}

/** Tracks whether the client (or close()) has gone away, for early exits. */
class Connection {
  closed = false;
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.once("close", () => {
      this.closed = true;
    });
  }

  /** Waits `ms`; resolves false instead if the connection closes first. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onClose = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#res.off("close", onClose);
        resolve(true);
      }, ms);
      this.#res.once("close", onClose);
    });
  }

  /** Writes with backpressure: waits for `drain` (or close) when the buffer is full. */
  write(chunk: Chunk): Promise<void> {
    if (this.closed || this.#res.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off("drain", done);
        this.#res.off("close", done);
        resolve();
      };
      this.#res.once("drain", done);
      this.#res.once("close", done);
    });
  }

  /** Cuts the connection once what was written has been handed to the socket. */
  drop(): void {
    this.#res.write("", () => this.#res.destroy());
  }
}

/** Roughly the first half of a chunk: enough to be recognisable, never valid JSON. */
function truncate(chunk: Chunk): Chunk {
  const half = Math.max(1, Math.floor(chunk.length / 2));
  return typeof chunk === "string" ? chunk.slice(0, half) : chunk.subarray(0, half);
}

export async function writeReply(
  res: ServerResponse,
  reply: Reply,
  fault: Fault | null,
  chunkDelayMs: number,
): Promise<void> {
  const conn = new Connection(res);
  const transportFault = isTransportFault(fault) ? fault : null;
  if (transportFault?.kind === "slow_first_byte" && !(await conn.sleep(transportFault.delayMs))) return;
  if (reply.type === "json") return writeJson(res, conn, reply, transportFault);
  return writeSse(res, conn, reply, transportFault, chunkDelayMs);
}

async function writeJson(
  res: ServerResponse,
  conn: Connection,
  reply: JsonReply,
  fault: TransportFault | null,
): Promise<void> {
  const fullLength = Buffer.byteLength(reply.body);
  if (fault === null || fault.kind === "slow_first_byte") {
    res.writeHead(reply.status, { ...reply.headers, "content-length": fullLength });
    res.end(reply.body);
    return;
  }
  const half = truncate(reply.body);
  if (fault.kind === "malformed_json") {
    // A complete response whose body happens to be broken JSON.
    res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(half) });
    res.end(half);
    return;
  }
  // Stalled or dropped: announce the full length so the client knows the body is incomplete.
  res.writeHead(reply.status, { ...reply.headers, "content-length": fullLength });
  await conn.write(half);
  if (fault.kind === "drop_mid_stream") conn.drop();
  // stall_mid_stream: leave the response open; close() or the client ends it.
}

async function writeSse(
  res: ServerResponse,
  conn: Connection,
  reply: SseReply,
  fault: TransportFault | null,
  chunkDelayMs: number,
): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  if (reply.joined !== undefined && chunkDelayMs <= 0 && (fault === null || fault.kind === "slow_first_byte")) {
    res.end(reply.joined);
    return;
  }
  // Headers go out at once, as a real stream's do, even if the first event is paced.
  res.flushHeaders();
  const { frames } = reply;
  const cutAt = fault?.kind === "stall_mid_stream" || fault?.kind === "drop_mid_stream" ? fault.afterChunks : Infinity;
  // The first content event (after the role event) is the one broken by malformed_json.
  const malformedAt = fault?.kind === "malformed_json" ? Math.min(1, frames.length - 1) : -1;
  for (let i = 0; i < frames.length && i < cutAt; i++) {
    if (conn.closed) return;
    const frame = frames[i] as Chunk;
    await conn.write(i === malformedAt ? `${truncate(frame).toString()}\n\n` : frame);
    if (chunkDelayMs > 0 && i < frames.length - 1 && !(await conn.sleep(chunkDelayMs))) return;
  }
  if (conn.closed) return;
  if (fault?.kind === "drop_mid_stream") conn.drop();
  else if (fault?.kind !== "stall_mid_stream") res.end();
}
