/**
 * RowBytes: the SQLite sink's off-heap queue of encoded log rows. A random
 * walk of appends, batches and releases is checked against a plain array.
 */
import { describe, expect, it } from "vitest";
import { blockRows, RowBytes } from "../../src/store/sqlite/row-bytes.js";

describe("RowBytes", () => {
  it("gives back consecutive and scattered batches as appended, through growth and compaction", () => {
    const rows = new RowBytes();
    const model = new Map<number, string>();
    let seed = 11;
    const rnd = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const texts = ["[1,null,\"a\"]", "[\"é🌍\",2]", "x".repeat(70_000), "[\"\\u0000\",\"\\ud800\"]", "[]"];
    let oldest = 0;
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      const op = rnd(10);
      if (op < 6) {
        const text = texts[rnd(texts.length)]! + String(next);
        expect(rows.append(text)).toBe(next);
        model.set(next++, text);
      } else if (op < 9 && next > oldest) {
        // A batch: usually a run from the oldest row, sometimes scattered rows.
        const n = 1 + rnd(Math.min(50, next - oldest));
        const seqs = op === 8
          ? [...new Set(Array.from({ length: n }, () => oldest + rnd(next - oldest)))].sort((a, b) => a - b)
          : Array.from({ length: n }, (_, i) => oldest + i);
        expect(blockRows(rows.block(seqs))).toEqual(seqs.map((s) => model.get(s)));
      } else if (next > oldest) {
        const upTo = oldest + rnd(next - oldest + 1);
        rows.releaseBefore(upTo);
        for (let s = oldest; s < upTo; s++) model.delete(s);
        oldest = upTo;
        expect(rows.size).toBe(next - oldest);
      }
    }
  });

  it("refuses a row it no longer keeps instead of handing out other bytes", () => {
    const rows = new RowBytes();
    for (let i = 0; i < 5; i++) rows.append(`[${i}]`);
    rows.releaseBefore(3);
    expect(() => rows.block([2])).toThrow(RangeError);
    expect(() => rows.block([5])).toThrow(RangeError);
    expect(blockRows(rows.block([3, 4]))).toEqual(["[3]", "[4]"]);
    rows.releaseBefore(10);
    expect(rows.size).toBe(0);
    expect(rows.append("[5]")).toBe(5);
    expect(blockRows(rows.block([5]))).toEqual(["[5]"]);
  });
});
