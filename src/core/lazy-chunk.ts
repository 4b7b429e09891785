/**
 * A pass-through stream chunk kept as the upstream's JSON text and parsed
 * only if something reads it. Most chunks of an OpenAI-compatible stream
 * carry a few words of content that nobody in the gateway needs to look at
 * (usage and finish reasons come in other chunks): parsing each one, only to
 * send its original text on, was the largest single cost of a stream.
 *
 * Made only for chunks that have no usage object, no finish reason and no
 * error (the provider checks the text), so `usage` is known to be absent
 * without parsing. Everything else parses on first read. Whoever needs a
 * plain object (a library caller, a spread) takes `.value`; JSON.stringify
 * sees the parsed object through toJSON().
 */
import { rawJson } from "./types.js";

export class LazyChunk {
  readonly raw: string;
  #value: Record<string, unknown> | undefined;

  constructor(raw: string) {
    this.raw = raw;
  }

  get value(): Record<string, unknown> {
    return (this.#value ??= JSON.parse(this.raw) as Record<string, unknown>);
  }

  get id(): unknown { return this.value.id; }
  get object(): unknown { return this.value.object; }
  get created(): unknown { return this.value.created; }
  get model(): unknown { return this.value.model; }
  get choices(): unknown { return this.value.choices; }
  get system_fingerprint(): unknown { return this.value.system_fingerprint; }
  /** Known absent: lazy chunks are made only for chunks without a usage object. */
  get usage(): undefined { return undefined; }

  toJSON(): Record<string, unknown> {
    return this.value;
  }
}

/** The upstream's own text of a value forwarded unchanged, if there is one. */
export function rawText(value: object): string | undefined {
  return value instanceof LazyChunk ? value.raw : rawJson.get(value);
}

/** A plain object for callers outside the gateway (library users may spread or inspect chunks). */
export function plain<T>(value: T): T {
  return value instanceof LazyChunk ? (value.value as T) : value;
}
