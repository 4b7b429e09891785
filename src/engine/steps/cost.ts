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

/**
 * Priced as the target's `price_model` when its config names one, else as
 * the model the upstream said it served (an Azure deployment answers as
 * gpt-4o-2024-08-06, whatever the deployment is called), else as the
 * configured model.
 */
function pricer(catalogue: PriceCatalogue): Deferred {
  return (call: Call) => {
    const rec = call.rec;
    if (!rec.usage || !rec.upstreamModel) return;
    const provider = rec.provider ?? undefined;
    let usd: number | undefined;
    for (const model of [rec.priceModel, rec.servedModel, rec.upstreamModel]) {
      if (model === undefined) continue;
      usd = usdOf(rec.usage, model, catalogue, provider);
      if (usd !== undefined) break;
    }
    rec.priced(usd ?? null);
  };
}
