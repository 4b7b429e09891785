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
