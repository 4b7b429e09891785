export { startOpenAIFake } from "./openai-fake.js";
export { startAzureFake, DEFAULT_DEPLOYMENTS, type AzureFakeOptions, type AzureFakeServer } from "./azure-fake.js";
export { DEFAULT_MODELS, FAST_REPLY, type FakeOptions } from "./fake-options.js";
export type { FakeServer } from "./fake-server.js";
export type { RecordedRequest } from "./fake-request.js";
export { FAULT_HEADER, type Fault, type FaultKind } from "./faults.js";
export { startOllamaFake, DEFAULT_OLLAMA_MODELS, type OllamaFakeOptions } from "./ollama-fake.js";
