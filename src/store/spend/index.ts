export type { SpendDelta, SpendPeriod, SpendRow, SpendStore } from "./types.js";
export { SPEND_PERIODS } from "./types.js";
export { MemorySpendStore } from "./memory-spend-store.js";
export { SqlSpendStore, type SpendDatabase, type SpendTable } from "./sql-spend-store.js";
export { openSpendStore, type OpenSpendStoreOptions } from "./open-spend-store.js";
export { SpendWriter, type SpendWriterOptions } from "./spend-writer.js";
