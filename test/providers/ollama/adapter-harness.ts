/**
 * What the Ollama adapter tests share: a call context, an adapter pointed at
 * a fake, and ways to drain a stream.
 */
import { GatewayError } from "../../../src/core/errors.js";
import { createOllamaAdapter } from "../../../src/providers/ollama/adapter.js";
import type { OllamaConfig } from "../../../src/providers/ollama/config.js";
import type { CallContext, ProviderAdapter, Timeouts } from "../../../src/providers/types.js";

export const TIMEOUTS: Timeouts = { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 };

export function callContext(overrides: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, timeouts: TIMEOUTS, requestId: "t", ...overrides };
}

export function ollamaAdapter(baseUrl: string, config: Partial<OllamaConfig> = {}): ProviderAdapter {
  return createOllamaAdapter("local", { type: "ollama", base_url: baseUrl, ...config }, TIMEOUTS);
}

export async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Drains a stream expected to fail; returns what arrived before, and the error. */
export async function drainToError<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: GatewayError }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    if (error instanceof GatewayError) return { items, error };
    throw error;
  }
  throw new Error(`expected the stream to fail; it ended after ${items.length} items`);
}

export async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}
