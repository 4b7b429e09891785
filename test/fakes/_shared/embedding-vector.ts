/**
 * Deterministic unit vectors from text: the same text always gives the same
 * vector, different texts give unrelated ones, so caching and similarity
 * tests have something stable to compare. Values are float32 (what OpenAI
 * returns), and the float and base64 encodings decode to identical floats.
 */

/** FNV-1a over UTF-16 code units: a cheap, stable seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small seeded PRNG; quality is irrelevant here, stability is not. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function embeddingFor(text: string, dimensions: number): Float32Array {
  const next = prng(fnv1a(text));
  const values = new Float64Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = next() * 2 - 1;
    values[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(values, (value) => value * scale);
}

/** Little-endian float32 bytes in base64: OpenAI's `encoding_format: "base64"`. */
export function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString("base64");
}

/**
 * The shortest decimal that reads back as the same float32 (OpenAI sends
 * `0.0023064255`, not the float64 expansion `0.0023064254783093929`), so
 * float payloads have realistic sizes.
 */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

export function toFloatList(vector: Float32Array): number[] {
  return Array.from(vector, shortestFloat32);
}
