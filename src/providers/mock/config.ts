/**
 * The `type: mock` provider block: the built-in deterministic provider
 * (adapter.ts), for demos, tests and load tests with no key and no network.
 */
import { z } from "zod";

export const mockConfigSchema = z.strictObject({
  type: z.literal("mock"),
  /** Fixed reply for every model except `echo`. */
  text: z.string().optional(),
  /** Delay before the first byte. */
  latency_ms: z.number().int().min(0).default(0),
  /** Characters per stream chunk. */
  chunk_size: z.number().int().positive().default(8),
  chunk_delay_ms: z.number().int().min(0).default(0),
  embedding_dimensions: z.number().int().positive().max(8192).default(16),
  models: z.array(z.string().min(1)).optional(),
});

export type MockConfig = z.infer<typeof mockConfigSchema>;
