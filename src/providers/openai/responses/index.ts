export { parseResponsesRequest, toChatRequest, type ResponsesRequest } from "./request.js";
export { inputEntries, referencedIds, resolveReferences, toMessages, type InputEntry } from "./items.js";
export { canonicalToResponse, newResponseId, outputItemsOf, responseShell, responseUsageOf, type ResponseIdentity } from "./response.js";
export { CanonicalToResponsesStream, responsesSSE } from "./stream.js";
export type { NumberedEvent, OutputItem, ResponseItemList, ResponseObject, StoredItem } from "./wire-types.js";
