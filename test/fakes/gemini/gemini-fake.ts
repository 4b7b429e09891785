/**
 * A fake generativelanguage.googleapis.com:
 *   POST /{v1beta|v1}/models/{model}:generateContent
 *   POST /{v1beta|v1}/models/{model}:streamGenerateContent[?alt=sse]
 *   POST /{v1beta|v1}/models/{model}:batchEmbedContents
 *   GET  /{v1beta|v1}/models
 * Auth is `x-goog-api-key: <key>` (or `?key=`). As Google does, a wrong key
 * is 400 INVALID_ARGUMENT with reason API_KEY_INVALID, a missing key is 403
 * PERMISSION_DENIED, an unknown model is 404 NOT_FOUND. Faults come from
 * the shared plumbing (see README.md); bodies follow Google's JSON layout.
 *
 *   const fake = await startGeminiFake({ apiKey: "g-key" });   // fake.url = http://127.0.0.1:PORT
 */
import { embeddingFor, toFloatList } from "../_shared/embedding-vector.js";
import { geminiDialect } from "./gemini-dialect.js";
import { geminiErrors, googleReply } from "./gemini-errors.js";
import { createGeminiIds, generateReply, type StreamMode } from "./gemini-generate.js";
import { validateGenerateRequest } from "./gemini-validate.js";
import { resolveBehaviour, type FakeOptions } from "../_shared/fake-options.js";
import { bodyObject, type FakeRequest } from "../_shared/fake-request.js";
import { startFakeServer, type FakeServer } from "../_shared/fake-server.js";
import type { Reply } from "../_shared/reply.js";

export interface GeminiFakeOptions extends Omit<FakeOptions, "fast" | "models"> {
  /** Model ids served (others get 404); ids containing "embedding" only embed, the rest only generate. */
  models?: string[];
}

export const DEFAULT_GEMINI_MODELS: readonly string[] = [
  "gemini-2.0-flash",
  "gemini-2.5-flash",
  "gemini-2.5-pro",
  "gemini-3-pro-preview",
  "gemini-embedding-001",
  "text-embedding-004",
];

const ROUTE = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;
const MAX_BATCH = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKey(request: FakeRequest, apiKey: string | undefined): Reply | undefined {
  if (apiKey === undefined) return undefined;
  const header = request.headers["x-goog-api-key"];
  const key = (Array.isArray(header) ? header[0] : header) ?? request.query.key;
  if (key === undefined || key === "") return geminiErrors.missingKey();
  return key === apiKey ? undefined : geminiErrors.apiKeyInvalid();
}

function embed(body: Record<string, unknown>, model: string): Reply {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) return geminiErrors.invalidArgument("* BatchEmbedContentsRequest.requests: requests is not specified\n");
  if (requests.length > MAX_BATCH) return geminiErrors.invalidArgument(`* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH} requests can be in one batch\n`);
  const embeddings = [];
  for (const [i, item] of requests.entries()) {
    if (!isObject(item)) return geminiErrors.invalidArgument(`Invalid value at 'requests[${i}]'`);
    if (item.model !== `models/${model}`) {
      return geminiErrors.invalidArgument(`Model name in the batch request (${String(item.model)}) does not match the model name in the URL (models/${model}).`);
    }
    const parts = isObject(item.content) && Array.isArray(item.content.parts) ? item.content.parts : [];
    const text = parts.map((p) => (isObject(p) && typeof p.text === "string" ? p.text : "")).join(" ");
    const dimensions = typeof item.outputDimensionality === "number" ? item.outputDimensionality : model === "gemini-embedding-001" ? 3072 : 768;
    embeddings.push({ values: toFloatList(embeddingFor(text, dimensions)) });
  }
  return googleReply(200, { embeddings });
}

export async function startGeminiFake(options: GeminiFakeOptions = {}): Promise<FakeServer> {
  const behaviour = resolveBehaviour({ ...options, fast: false });
  const models = new Set(options.models ?? DEFAULT_GEMINI_MODELS);
  const ids = createGeminiIds();

  const route = (request: FakeRequest): Reply => {
    const { method, path } = request;
    const match = ROUTE.exec(path);
    if (method === "GET" && /^\/(v1beta|v1)\/models$/.test(path)) {
      const denied = checkKey(request, options.apiKey);
      return denied ?? googleReply(200, { models: [...models].map((id) => ({ name: `models/${id}`, displayName: id })) });
    }
    if (match === null || method !== "POST") return geminiErrors.unknownPath(path);
    const denied = checkKey(request, options.apiKey);
    if (denied !== undefined) return denied;
    const [, version = "v1beta", rawModel = "", rpc = ""] = match;
    const model = decodeURIComponent(rawModel);
    const embedding = model.includes("embedding");
    if (!models.has(model) || embedding !== (rpc === "batchEmbedContents")) return geminiErrors.modelNotFound(model, version, rpc);
    const body = bodyObject(request);
    if (body === undefined) return geminiErrors.invalidArgument(`Invalid JSON payload received. Unexpected token.\n${request.rawBody.slice(0, 40)}\n^`);
    if (embedding) return embed(body, model);
    const invalid = validateGenerateRequest(body, version, model);
    if (invalid !== undefined) return geminiErrors.invalidArgument(invalid);
    const mode: StreamMode = rpc === "generateContent" ? "none" : request.query.alt === "sse" ? "sse" : "array";
    return generateReply(body, model, mode, behaviour, ids);
  };

  return startFakeServer({
    dialect: geminiDialect,
    route,
    basePath: "",
    port: behaviour.port,
    chunkDelayMs: behaviour.chunkDelayMs,
    record: behaviour.record,
  });
}
