/**
 * A fake Ollama server: the native API (`/api/chat`, `/api/generate`,
 * `/api/embed`, `/api/tags`, `/api/version`) on the shared fake plumbing, so
 * the same faults (status, rate_limit, slow_first_byte, stall/drop mid
 * stream, malformed_json) apply. Like Ollama, it streams NDJSON unless the
 * request says `stream: false`.
 *
 *   const fake = await startOllamaFake();
 *   const ollama = new Ollama({ host: fake.url });   // or the gateway's adapter with base_url: fake.url
 *   …
 *   await fake.close();
 *
 * Model names follow Ollama's `model:tag` rule: "llama3.2" is "llama3.2:latest".
 */
import { createHash } from "node:crypto";
import { createIdSource } from "../_shared/fake-ids.js";
import { bodyObject, type FakeRequest } from "../_shared/fake-request.js";
import { startFakeServer, type FakeServer } from "../_shared/fake-server.js";
import { ollamaDialect, ollamaErrors, ollamaJson, ollamaText } from "./ollama-dialect.js";
import { handleChat, handleEmbed, handleGenerate, type OllamaModelSpec } from "./ollama-endpoints.js";
import type { Reply } from "../_shared/reply.js";

export interface OllamaFakeOptions {
  /** When set, requests must send `Authorization: Bearer <apiKey>` (hosted Ollama); 401 otherwise. */
  apiKey?: string;
  /** Fixed assistant text; by default "echo: " + the last user message. */
  reply?: string;
  /** How many pieces a streamed reply is cut into; by default one per word. */
  streamChunks?: number;
  /** Pause between NDJSON lines. */
  chunkDelayMs?: number;
  /** Installed models (others get 404 "try pulling it first"); see DEFAULT_OLLAMA_MODELS. */
  models?: string[];
  /** What GET /api/version reports. */
  version?: string;
  /** Keep every request in FakeServer.requests (default true). */
  record?: boolean;
  port?: number;
}

export const DEFAULT_OLLAMA_MODELS: readonly string[] = [
  "llama3.2:latest",
  "llava:latest",
  "qwen3:latest",
  "gpt-oss:20b",
  "all-minilm:latest",
  "embeddinggemma:latest",
];

/** "llama3.2" → "llama3.2:latest", as Ollama resolves names. */
export function canonicalModelName(name: string): string {
  const slash = name.lastIndexOf("/");
  return name.slice(slash + 1).includes(":") ? name : `${name}:latest`;
}

/** What a model can do, from its family name (the fake has no manifests to read). */
function specOf(name: string): OllamaModelSpec {
  const family = name.slice(name.lastIndexOf("/") + 1).split(":")[0] ?? name;
  const embeddingOnly = /embed|minilm|bge|nomic/i.test(family);
  return {
    thinking: /^(qwen3|deepseek-r1|gpt-oss|magistral)/i.test(family),
    embeddingOnly,
    dimensions: family === "all-minilm" ? 384 : 768,
  };
}

function digest(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

/** GET /api/tags (api.md "List Local Models"). */
function tags(models: Iterable<string>): unknown {
  return {
    models: Array.from(models, (name) => {
      const family = (name.split(":")[0] ?? name).replace(/[^a-z0-9]+$/i, "");
      return {
        name,
        model: name,
        modified_at: "2025-05-04T17:37:44.706015396-07:00",
        size: 2019393189,
        digest: digest(name),
        details: {
          parent_model: "",
          format: "gguf",
          family,
          families: [family],
          parameter_size: "3.2B",
          quantization_level: "Q4_K_M",
        },
      };
    }),
  };
}

/** 401 unless the request carries `Authorization: Bearer <apiKey>`. */
function denied(request: FakeRequest, apiKey: string | undefined): Reply | undefined {
  if (apiKey === undefined) return undefined;
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(.*)$/i.exec(header);
  return match?.[1] === apiKey ? undefined : ollamaErrors.unauthorized();
}

const ENDPOINTS = { "/api/chat": handleChat, "/api/generate": handleGenerate, "/api/embed": handleEmbed };

export async function startOllamaFake(options: OllamaFakeOptions = {}): Promise<FakeServer> {
  const models = new Set((options.models ?? DEFAULT_OLLAMA_MODELS).map(canonicalModelName));
  const ids = createIdSource();
  const version = options.version ?? "0.12.6";

  const route = (request: FakeRequest): Reply => {
    const refused = denied(request, options.apiKey);
    if (refused !== undefined) return refused;
    const { method, path } = request;
    if (method === "GET" && path === "/") return ollamaText(200, "Ollama is running");
    if (method === "GET" && path === "/api/version") return ollamaJson(200, { version });
    if (method === "GET" && path === "/api/tags") return ollamaJson(200, tags(models));
    const handler = method === "POST" && Object.hasOwn(ENDPOINTS, path) ? ENDPOINTS[path as keyof typeof ENDPOINTS] : undefined;
    // gin answers unknown routes (and wrong methods) with a plain-text 404.
    if (handler === undefined) return ollamaErrors.pageNotFound();

    if (request.rawBody.trim() === "") return ollamaErrors.missingBody();
    const body = bodyObject(request);
    if (body === undefined) return ollamaErrors.invalidJson(request.rawBody);
    if (typeof body.model !== "string" || body.model === "") return ollamaErrors.modelRequired();
    const name = canonicalModelName(body.model);
    if (!models.has(name)) return ollamaErrors.modelNotFound(body.model);
    return handler({
      body,
      model: body.model,
      spec: specOf(name),
      reply: options.reply,
      streamChunks: options.streamChunks,
      ids,
    });
  };

  return startFakeServer({
    dialect: ollamaDialect,
    route,
    basePath: "",
    port: options.port ?? 0,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    record: options.record ?? true,
  });
}
