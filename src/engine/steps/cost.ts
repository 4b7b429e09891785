/**
 * Cost: once the answer is complete, its usage priced from the catalogue
 * (and the config's overrides). Inside admission and the cache, so the
 * budget is settled and the cache entry remembers the price; a cached
 * answer never gets here (it cost nothing).
 */
import { usdOf, type PriceCatalogue } from "../../cost/index.js";
import type { Call, Deferred } from "../call.js";
import type { EngineParts } from "../engine-parts.js";
import type { Step } from "../pipeline.js";

export function cost(parts: EngineParts): Step {
  const price = pricer(parts.catalogue);
  return (next) => (call) => {
    call.defer(price);
    return next(call);
  };
}

function pricer(catalogue: PriceCatalogue): Deferred {
  return (call: Call) => {
    const rec = call.rec;
    if (rec.usage && rec.upstreamModel) rec.priced(usdOf(rec.usage, rec.upstreamModel, catalogue, rec.provider ?? undefined) ?? null);
  };
}
