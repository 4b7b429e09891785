/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), decoded
 * incrementally: network chunks are cut anywhere, so bytes are buffered until
 * a whole frame (prelude, headers, payload, CRCs) is there. Frame parsing and
 * CRC checks are @smithy/eventstream-codec's (the AWS SDKs' own codec); it
 * decodes exactly one complete frame, so the splitting is ours. Synchronous
 * and fed one network chunk at a time, like the shared SSE decoder.
 *
 * Frame layout: total length (u32) · headers length (u32) · prelude CRC ·
 * headers · payload · message CRC.
 */
import { EventStreamCodec, type Message, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const PRELUDE_BYTES = 12;
const MIN_FRAME_BYTES = 16;
/** The protocol caps a payload at 16 MiB and headers at 128 KiB; anything bigger is corruption. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_FRAME_BYTES;

export interface EventStreamMessage {
  /** `:message-type`: "event", "exception" or "error". */
  messageType: string;
  /** `:event-type` for events, `:exception-type` for exceptions, `:error-code` for errors. */
  type: string;
  /** `:error-message` of an "error" frame (its payload is empty). */
  errorMessage?: string;
  payload: Uint8Array;
}

export class EventStreamFramingError extends Error {
  override readonly name = "EventStreamFramingError";
}

function header(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h?.type === "string" ? h.value : undefined;
}

export class EventStreamDecoder {
  readonly #codec = new EventStreamCodec(toUtf8, fromUtf8);
  #buffer: Buffer = Buffer.alloc(0);

  /** Feeds one network chunk; returns the messages it completed. Throws EventStreamFramingError on corrupt frames. */
  push(chunk: Uint8Array): EventStreamMessage[] {
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.#buffer, chunk]);
    const out: EventStreamMessage[] = [];
    let offset = 0;
    while (this.#buffer.length - offset >= PRELUDE_BYTES) {
      const total = this.#buffer.readUInt32BE(offset);
      if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) {
        throw new EventStreamFramingError(`event-stream frame declares an impossible length (${total} bytes)`);
      }
      if (this.#buffer.length - offset < total) break;
      out.push(this.#decode(this.#buffer.subarray(offset, offset + total)));
      offset += total;
    }
    // Keep only the partial frame; copy it so the chunk it came from can be freed.
    this.#buffer = offset === 0 ? this.#buffer : Buffer.from(this.#buffer.subarray(offset));
    return out;
  }

  /** Bytes of an unfinished frame still buffered (non-zero at the end of the body = truncated stream). */
  get pending(): number {
    return this.#buffer.length;
  }

  #decode(frame: Buffer): EventStreamMessage {
    let message: Message;
    try {
      message = this.#codec.decode(frame);
    } catch (err) {
      throw new EventStreamFramingError(`corrupt event-stream frame: ${err instanceof Error ? err.message : String(err)}`);
    }
    const h = message.headers;
    const messageType = header(h, ":message-type") ?? "event";
    if (messageType === "exception") return { messageType, type: header(h, ":exception-type") ?? "", payload: message.body };
    if (messageType === "error") {
      return { messageType, type: header(h, ":error-code") ?? "", errorMessage: header(h, ":error-message") ?? "", payload: message.body };
    }
    return { messageType, type: header(h, ":event-type") ?? "", payload: message.body };
  }
}
