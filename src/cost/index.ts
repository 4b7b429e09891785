export {
  candidateIds, catalogueEntrySchema, catalogueSchema, loadCatalogue, PriceCatalogue, priceOverrideSchema,
  type CatalogueEntry, type LoadCatalogueOptions, type ModelPrice, type PriceOverride, type ResolvedPrice,
} from "./catalogue.js";
export { costOf, formatDollars, formatUsd, priceSplit, splitUsage, usdOf, type Cost, type TokenSplit, type UsageLike } from "./cost.js";
export {
  countChatTokens, countRequestTokens, countTokens, countToolTokens, encodingFor, preloadEncodings, type EncodingName,
} from "./tokenizer.js";
export {
  choicesOf, countCompletionTokens, countPromptTokens, estimateChatUsage, estimateCompletionUsage,
  StreamUsageEstimator, forClient, withUpstreamUsage, type AssembledChoice, type EstimatedUsage,
} from "./stream-usage.js";
export { DEFAULT_MAX_AGE_DAYS, pricesSchema, type PricesConfig, type PricesInput } from "./price-config.js";
export { fromLiteLLM, isLiteLLMPrices, LITELLM_PRICES_URL, type Converted, type FromLiteLLMOptions } from "./litellm.js";
export {
  formatPriceDocument, loadPrices, overlay, parsePriceDocument, readPriceFile, shippedEntries, today, type PriceDocument,
} from "./price-file.js";
export { checkPrices, describePriceProblem, modelsInUse, priceWarning, type ModelInUse, type PricedConfigLike, type PriceProblem } from "./price-check.js";
