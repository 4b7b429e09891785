/**
 * The lexical embedding (mock/embed-lexical) on recorded question triples:
 * each question lands nearer its paraphrase than its look-alike.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LEXICAL_DIMENSIONS, lexicalVector } from "./lexical-embedding.js";

interface Triple { description: string; query: string; near: string; far: string }

const triples = JSON.parse(readFileSync(new URL("./fixtures/lexical.json", import.meta.url), "utf8")) as Triple[];
const cosine = (a: string, b: string): number => {
  const x = lexicalVector(a, LEXICAL_DIMENSIONS);
  const y = lexicalVector(b, LEXICAL_DIMENSIONS);
  return x.reduce((sum, v, i) => sum + v * y[i]!, 0);
};

describe("lexicalVector", () => {
  for (const t of triples) {
    it(t.description, () => {
      expect(cosine(t.query, t.near)).toBeGreaterThan(cosine(t.query, t.far));
    });
  }

  it("takes words that are Object.prototype's members as plain words", () => {
    for (const text of ["constructor", "😀 constructor\ufeff", "toString hasOwnProperty __proto__ valueOf"]) {
      expect(Math.hypot(...lexicalVector(text, 64))).toBeCloseTo(1, 12);
    }
  });

  it("is deterministic and of unit length, even for text without content words", () => {
    expect(lexicalVector("What is it?", 64)).toEqual(lexicalVector("What is it?", 64));
    for (const text of ["How tall is Mount Everest?", "", "what is the"]) {
      expect(Math.hypot(...lexicalVector(text, 64))).toBeCloseTo(1, 12);
    }
  });
});
