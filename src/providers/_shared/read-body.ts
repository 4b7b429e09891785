/**
 * A streamed answer's body, read through a provider's translation. This is
 * the one place that decides what becomes of the body, and of its
 * connection, when reading stops; whichever way it stops, it decides once:
 *   - the body ended by itself: nothing is left to do;
 *   - the translation read the answer's own end marker (`done`: OpenAI's
 *     [DONE], Anthropic's message_stop, Ollama's `done: true`): the rest is
 *     dropped as it arrives and the connection goes back to the pool;
 *   - anything else (a transport or upstream error, a malformed event, an
 *     answer cut short, a consumer that stopped reading): the body is
 *     destroyed, which closes the connection, so the upstream stops
 *     generating for nobody.
 * A translation is synchronous and sees one network read at a time, so a
 * stream pays one async step per packet, not one per event.
 */
import { flatten } from "../../core/batched.js";

/** What reading needs of a body: PushBody's surface (a recording may stand in). */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  /** The answer is complete: drop what is left, keep the connection. */
  discard(): void;
  /** Close the connection. */
  destroy(): void;
}

/** A provider's translation of one streamed body, fed one network read at a time. */
export interface BodyReader<T> {
  /**
   * One network read: appends what it completed to `out`. An error met part
   * way is returned rather than thrown, so the items before it are delivered
   * first.
   */
  push(bytes: Uint8Array, out: T[]): unknown;
  /** The body ended: the same for what is left, and the error of an answer cut short. */
  end(out: T[]): unknown;
  /** True once the answer's own end marker was read: reading stops there. */
  readonly done: boolean;
  /** Any failure (reading the body, or one that push/end returned) → the error the stream ends with. */
  fail(err: unknown): unknown;
}

/** The translated items, one batch per network read (never empty). */
export async function* readBatches<T>(body: ResponseBody, reader: BodyReader<T>): AsyncGenerator<T[]> {
  const chunks = body[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
      const out: T[] = [];
      const failure = reader.push(r.value, out);
      if (out.length > 0) yield out;
      if (failure !== undefined) throw failure;
      if (reader.done) return;
    }
    ended = true;
    const out: T[] = [];
    const failure = reader.end(out);
    if (out.length > 0) yield out;
    if (failure !== undefined) throw failure;
  } catch (err) {
    throw reader.fail(err);
  } finally {
    if (!ended) {
      if (reader.done) body.discard();
      else body.destroy();
    }
  }
}

/** The same items one by one, for streams that are not read in batches downstream. */
export function readItems<T>(body: ResponseBody, reader: BodyReader<T>): AsyncGenerator<T> {
  return flatten(readBatches(body, reader));
}

/** Recorded network reads (a fixture) as a body: there is no connection to keep or close. */
export function recordedBody(reads: AsyncIterable<Uint8Array>): ResponseBody {
  return { [Symbol.asyncIterator]: () => reads[Symbol.asyncIterator](), discard() {}, destroy() {} };
}
