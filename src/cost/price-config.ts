/**
 * The config's `prices:` block. Two forms, both valid:
 *
 *   prices:                                  # the original, flat form: model → override
 *     gpt-4o: { input: 2.0, output: 8.0 }
 *
 *   prices:                                  # with a price file
 *     file: ./prices.json                    # loaded over the shipped catalogue (ours or LiteLLM's format)
 *     max_age_days: 180                      # prices older than this are reported at start and by `liaison prices check`
 *     models: { gpt-4o: { input: 2.0, output: 8.0 } }
 *
 * `file`, `models` and `max_age_days` are reserved keys; every other key is
 * a model override, so the two forms may also be mixed. Parsed by hand
 * rather than as a union so an error keeps the path the user wrote
 * (`prices.gpt-4o.input`, not a union's "invalid input").
 */
import { z } from "zod";
import { priceOverrideSchema, type PriceOverride } from "./catalogue.js";

/** Prices older than this many days are reported (at start and by `liaison prices check`). */
export const DEFAULT_MAX_AGE_DAYS = 180;

export interface PricesConfig {
  /** A price file loaded over the shipped catalogue; relative paths are from the working directory. */
  file?: string;
  max_age_days: number;
  /** Overrides by upstream model or provider/model; they win over the file and the catalogue. */
  models: Record<string, PriceOverride>;
}

type OverrideInput = z.input<typeof priceOverrideSchema>;
export type PricesInput =
  | Record<string, OverrideInput>
  | { file?: string; max_age_days?: number; models?: Record<string, OverrideInput> };

const fileSchema = z.string().min(1);
const maxAgeSchema = z.number().int().positive();
const overridesSchema = z.record(z.string().min(1), priceOverrideSchema);

const parsed = z.record(z.string().min(1), z.unknown()).transform((raw, ctx): PricesConfig => {
  const out: PricesConfig = { max_age_days: DEFAULT_MAX_AGE_DAYS, models: {} };
  const take = <T>(schema: z.ZodType<T>, value: unknown, key: string): T | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, path: [key, ...issue.path], input: value } as (typeof ctx.issues)[number]);
    return undefined;
  };
  for (const [key, value] of Object.entries(raw)) {
    if (key === "file") {
      const file = take(fileSchema, value, key);
      if (file !== undefined) out.file = file;
    } else if (key === "max_age_days") {
      out.max_age_days = take(maxAgeSchema, value, key) ?? DEFAULT_MAX_AGE_DAYS;
    } else if (key === "models") {
      Object.assign(out.models, take(overridesSchema, value, key));
    } else {
      const override = take(priceOverrideSchema, value, key);
      if (override) out.models[key] = override;
    }
  }
  return out;
});

/** The schema of `prices:` (config/schema.ts); absent means the shipped catalogue alone. */
export const pricesSchema = parsed.prefault({}) as unknown as z.ZodPrefault<z.ZodType<PricesConfig, PricesInput>>;
