/**
 * The `timeouts` block, in the provider layer: every provider's config block
 * takes one, and src/config (the top-level block, and its other durations)
 * imports it from here, so imports point one way (config → providers).
 */
import { z } from "zod";

/** A duration in whole milliseconds. */
export const ms = z.number().int().positive();

export const timeoutsSchema = z.strictObject({
  connect_ms: ms.optional(),
  first_byte_ms: ms.optional(),
  idle_ms: ms.optional(),
  total_ms: ms.optional(),
});

export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
