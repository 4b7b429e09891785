/**
 * Streams read a batch at a time: what one network read completed crosses
 * every layer as one batch, one async step per read instead of per event
 * (docs/benchmarks.md, "Streams in batches"). It still iterates item by item
 * for callers that want that (the library, tests, other adapters).
 */
export interface Batched<T> extends AsyncIterable<T> {
  /** The items in batches (never empty). Read either this or the items, once. */
  batches(): AsyncIterator<T[]>;
}

export function isBatched<T>(stream: AsyncIterable<T>): stream is Batched<T> {
  return typeof (stream as Partial<Batched<T>>).batches === "function";
}

/** A Batched stream over a source of batches; item-by-item reading flattens it. */
export function batched<T>(source: () => AsyncIterator<T[]>): Batched<T> {
  return {
    batches: source,
    [Symbol.asyncIterator]: () => flatten(source())[Symbol.asyncIterator](),
  };
}

/** Any stream as batches: a Batched one natively, any other one item per batch. */
export function batchesOf<T>(stream: AsyncIterable<T>): AsyncIterator<T[]> {
  if (isBatched(stream)) return stream.batches();
  const items = stream[Symbol.asyncIterator]();
  return {
    next: async () => {
      const r = await items.next();
      return r.done ? { value: undefined, done: true } : { value: [r.value], done: false };
    },
    return: async () => {
      await items.return?.();
      return { value: undefined, done: true };
    },
  };
}

/** The items of a batch source, one by one; leaving early closes the source. */
export async function* flatten<T>(batches: AsyncIterator<T[]>): AsyncGenerator<T> {
  let done = false;
  try {
    for (let r = await batches.next(); !r.done; r = await batches.next()) yield* r.value;
    done = true;
  } finally {
    if (!done) await batches.return?.();
  }
}
