/** The mock provider's lexical embedding model, and that the other mock models kept their vectors. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MockAdapter } from "../../src/providers/mock/adapter.js";
import { LEXICAL_DIMENSIONS, lexicalVector } from "../../src/providers/mock/lexical-embedding.js";

const mock = new MockAdapter({ name: "mock", latencyMs: 0, chunkSize: 8, chunkDelayMs: 0, embeddingDimensions: 16 });
const ctx = { signal: new AbortController().signal, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, requestId: "r" };
const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe("mock embed-lexical", () => {
  it("is deterministic, unit length, and sized by the request or its own default", async () => {
    const res = await mock.embed({ model: "embed-lexical", input: ["How do I reset my password?", "x"] }, ctx);
    const v = res.data[0]!.embedding as number[];
    expect(v).toHaveLength(LEXICAL_DIMENSIONS);
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(v).toEqual(lexicalVector("How do I reset my password?", LEXICAL_DIMENSIONS));
    expect(((await mock.embed({ model: "embed-lexical", input: "x", dimensions: 64 }, ctx)).data[0]!.embedding as number[]).length).toBe(64);
  });

  it("puts paraphrases close and questions that differ in their key word apart", () => {
    const v = (t: string) => lexicalVector(t, 512);
    expect(cos(v("How tall is Mount Everest?"), v("What is the height of Mount Everest?"))).toBeGreaterThan(0.95);
    expect(cos(v("What is the capital of France?"), v("What is the capital of Spain?"))).toBeLessThan(0.6);
    expect(cos(v(""), v(""))).toBeCloseTo(1, 6); // no NaN for text without content words
  });

  it("leaves every other mock model's vectors exactly as they were (hash of the text)", async () => {
    const res = await mock.embed({ model: "anything", input: "same text" }, ctx);
    const expected: number[] = [];
    const bytes = createHash("sha256").update("0:same text").digest();
    for (let i = 0; i < 32; i += 4) expected.push(bytes.readInt32LE(i) / 2 ** 31);
    const bytes2 = createHash("sha256").update("1:same text").digest();
    for (let i = 0; i < 32; i += 4) expected.push(bytes2.readInt32LE(i) / 2 ** 31);
    const norm = Math.hypot(...expected);
    expect(res.data[0]!.embedding).toEqual(expected.map((x) => x / norm));
  });
});
