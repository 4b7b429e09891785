/** How a gateway (or a test) starts the stdio test server: Node with tsx's loader, by absolute path, so any working directory will do. */
import { fileURLToPath } from "node:url";

const TSX = import.meta.resolve("tsx");
const SERVER = fileURLToPath(new URL("./stdio-server.ts", import.meta.url));

export function stdioServerConfig(env: Record<string, string> = {}): { command: string; args: string[]; env?: Record<string, string> } {
  return { command: process.execPath, args: ["--import", TSX, SERVER], ...(Object.keys(env).length ? { env } : {}) };
}
