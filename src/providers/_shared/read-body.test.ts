/**
 * What becomes of a streamed body when reading stops, whichever way it
 * stops, decided once: nothing when it ended by itself, discard (keep the
 * connection) at the answer's end marker, destroy (close it) otherwise.
 */
import { describe, expect, it } from "vitest";
import { PushBody } from "./push-body.js";
import { readBatches, readItems, type BodyReader } from "./read-body.js";

/** Lines of text; "END" is the answer's end marker, "BAD" a malformed event. */
class LineReader implements BodyReader<string> {
  done = false;
  failures: unknown[] = [];

  push(bytes: Uint8Array, out: string[]): unknown {
    for (const line of Buffer.from(bytes).toString().split("\n").filter(Boolean)) {
      if (line === "BAD") return new Error("malformed");
      if (line === "END") {
        this.done = true;
        return undefined;
      }
      out.push(line);
    }
    return undefined;
  }

  end(): unknown {
    return this.done ? undefined : new Error("cut short");
  }

  fail(err: unknown): unknown {
    this.failures.push(err);
    return err;
  }
}

function body(...reads: string[]): { body: PushBody; calls: string[] } {
  const calls: string[] = [];
  const b = new PushBody();
  b.controller = { pause: () => calls.push("pause"), resume: () => calls.push("resume"), abort: () => calls.push("abort") };
  for (const r of reads) b.push(Buffer.from(r));
  return { body: b, calls };
}

async function drain<T>(items: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const out: T[] = [];
  try {
    for await (const item of items) out.push(item);
  } catch (error) {
    return { items: out, error };
  }
  return { items: out, error: undefined };
}

describe("readBatches", () => {
  it("hands over what each read completed as one batch", async () => {
    const b = body("a\nb\n", "c\nEND\n");
    const batches = await drain(readBatches(b.body, new LineReader()));
    expect(batches.items).toEqual([["a", "b"], ["c"]]);
  });

  it("keeps the connection at the end marker, though the response has not ended", async () => {
    const b = body("a\nEND\nleft over\n");
    expect((await drain(readItems(b.body, new LineReader()))).items).toEqual(["a"]);
    expect(b.calls).toEqual([]);
    b.body.push(Buffer.from("more of the rest")); // dropped as it arrives
    b.body.end();
    expect(await b.body.next()).toEqual({ value: undefined, done: true });
  });

  it("does nothing to a body that ended by itself, and reports an answer cut short", async () => {
    const b = body("a\n");
    b.body.end();
    const reader = new LineReader();
    const { items, error } = await drain(readItems(b.body, reader));
    expect(items).toEqual(["a"]);
    expect(error).toMatchObject({ message: "cut short" });
    expect(reader.failures).toEqual([error]);
    expect(b.calls).toEqual([]);
  });

  it("delivers the items before an error in the same read, then closes the connection once", async () => {
    const b = body("a\nb\nBAD\nc\n");
    const { items, error } = await drain(readItems(b.body, new LineReader()));
    expect(items).toEqual(["a", "b"]);
    expect(error).toMatchObject({ message: "malformed" });
    expect(b.calls).toEqual(["abort"]);
  });

  it("closes the connection once when the reader leaves early", async () => {
    const b = body("a\nb\n");
    for await (const item of readItems(b.body, new LineReader())) if (item === "a") break;
    expect(b.calls).toEqual(["abort"]);
  });

  it("passes a transport failure through the reader's fail()", async () => {
    const b = body("a\n");
    const reader = new LineReader();
    const pending = drain(readItems(b.body, reader));
    await new Promise((resolve) => setImmediate(resolve));
    b.body.fail(new Error("socket hang up"));
    const { items, error } = await pending;
    expect(items).toEqual(["a"]);
    expect(reader.failures).toEqual([error]);
    expect(error).toMatchObject({ message: "socket hang up" });
  });
});
