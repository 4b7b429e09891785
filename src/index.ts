/**
 * The library: the same engine the server runs, in-process.
 *
 *   const gateway = createGateway({ providers: { demo: { type: "mock" } } });
 *   const res = await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] });
 */
export { createGateway, type Gateway, type GatewayStatus, type GenerateTextRequest, type GenerateTextResult } from "./library/create-gateway.js";
export { ConfigError, validateConfig, loadConfigFile } from "./config/load.js";
export { GatewayError } from "./core/errors.js";
export type { Config, ConfigInput } from "./config/schema.js";
export type * from "./core/types.js";
export type { CallOptions } from "./engine/call-options.js";
export { startServer } from "./server/start.js";
