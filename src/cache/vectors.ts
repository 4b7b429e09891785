/** Vector arithmetic and encodings shared by the semantic indexes. */
import type { EmbeddingResponse } from "../core/types.js";

/** A unit-length copy (cosine similarity is then a dot product); undefined for a zero or non-finite vector. */
export function unit(vector: ArrayLike<number>): Float32Array | undefined {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  if (!Number.isFinite(norm) || norm === 0) return undefined;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

/** Dot product; both arguments are unit vectors of one length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Little-endian float32 bytes, written explicitly: the bytes are shared
 * between machines through Redis and PostgreSQL, so they must not depend on
 * the writer's native byte order.
 */
export function vectorToBytes(vector: Float32Array, header = 0): Buffer {
  const buf = Buffer.allocUnsafe(header + vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, header + i * 4);
  return buf;
}

export function bytesToVector(buf: Buffer, header = 0): Float32Array | undefined {
  const n = (buf.length - header) / 4;
  if (!Number.isInteger(n) || n <= 0) return undefined;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(header + i * 4);
  return out;
}

/** The first embedding of an embeddings response, float or base64 encoded. */
export function firstEmbedding(response: EmbeddingResponse): Float32Array {
  const e = response.data[0]?.embedding;
  if (e === undefined) throw new Error("The embeddings response has no data");
  if (typeof e === "string") {
    const bytes = Buffer.from(e, "base64");
    // base64 embeddings are little-endian float32 (OpenAI's format).
    const v = bytesToVector(bytes);
    if (!v) throw new Error("The base64 embedding is not a float32 array");
    return v;
  }
  return Float32Array.from(e);
}
