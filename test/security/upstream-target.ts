/**
 * What the security tests share: a recording upstream (every request's
 * method, raw URL and Host header, answered with a 400 so that nothing is
 * retried) and an in-process gateway in front of it, one provider of each
 * wire protocol pointed at the recorder.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { validateConfig } from "../../src/config/load.js";
import { Engine } from "../../src/engine/engine.js";
import { buildApp } from "../../src/server/app.js";

export interface Recorded { method: string; url: string; host: string; headers: IncomingMessage["headers"]; body: string }

export interface Recorder {
  url: string;
  host: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** An upstream that records what reaches it and refuses it with a 400 in OpenAI's shape (Gemini's and Bedrock's errors parse it too). */
export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", host: req.headers.host ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      const body = JSON.stringify({ error: { message: "recorded", type: "invalid_request_error", code: 400, status: "INVALID_ARGUMENT" } });
      res.writeHead(400, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Gateway { url: string; close(): Promise<void> }

/** The gateway in this process, with `config` (storage off, logs silent unless it says otherwise). */
export async function startGateway(config: Record<string, unknown>): Promise<Gateway> {
  const engine = await Engine.create(validateConfig({ logging: { level: "silent", requests: false }, ...config }));
  const app = buildApp(engine, { shuttingDown: false });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
}

/** One provider of each wire protocol, every one at the recorder. */
export function providersAt(recorder: Recorder): Record<string, unknown> {
  return {
    oa: { type: "openai", base_url: `${recorder.url}/v1`, api_key: "sk-openai-secret-0123456789" },
    az: { type: "azure", base_url: recorder.url, api_key: "azure-secret-0123456789", api_version: "2024-10-21" },
    gem: { type: "gemini", base_url: recorder.url, api_key: "gemini-secret-0123456789" },
    br: { type: "bedrock", base_url: recorder.url, region: "us-east-1", api_key: "bedrock-secret-0123456789" },
    ol: { type: "ollama", base_url: recorder.url },
    an: { type: "anthropic", base_url: recorder.url, api_key: "anthropic-secret-0123456789" },
  };
}
