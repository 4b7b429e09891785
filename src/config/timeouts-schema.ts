/**
 * The timeouts block, in a module of its own: provider config schemas import
 * it, and config/schema.ts imports them, so it cannot live in schema.ts
 * without an import cycle.
 */
import { z } from "zod";

export const ms = z.number().int().positive();

export const timeoutsSchema = z.strictObject({
  connect_ms: ms.optional(),
  first_byte_ms: ms.optional(),
  idle_ms: ms.optional(),
  total_ms: ms.optional(),
});
