/**
 * A fake api.openai.com: the `/v1` URL scheme and Bearer auth in front of the
 * shared endpoint handlers.
 *
 *   const fake = await startOpenAIFake({ apiKey: "sk-test" });
 *   const client = new OpenAI({ baseURL: fake.url, apiKey: "sk-test", maxRetries: 0 });
 *   …
 *   await fake.close();
 */
import { createEndpointRunner, endpointNamed } from "./endpoint-runner.js";
import { bodyObject, type FakeRequest } from "../_shared/fake-request.js";
import { DEFAULT_MODELS, resolveBehaviour, type FakeOptions } from "../_shared/fake-options.js";
import { startFakeServer, type FakeServer } from "../_shared/fake-server.js";
import { modelList, modelObject } from "./models.js";
import { openaiDialect } from "./openai-dialect.js";
import { openaiErrors } from "./openai-errors.js";
import { jsonReply, type Reply } from "../_shared/reply.js";

const PREFIX = "/v1/";

/** 401 unless the request carries `Authorization: Bearer <apiKey>`; undefined when it does. */
function checkBearer(request: FakeRequest, apiKey: string | undefined): Reply | undefined {
  if (apiKey === undefined) return undefined;
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(.*)$/i.exec(header);
  if (match === null) return openaiErrors.missingApiKey();
  const key = match[1] ?? "";
  return key === apiKey ? undefined : openaiErrors.incorrectApiKey(key);
}

export async function startOpenAIFake(options: FakeOptions = {}): Promise<FakeServer> {
  const behaviour = resolveBehaviour(options);
  const models = new Set(options.models ?? DEFAULT_MODELS);
  const runner = createEndpointRunner(behaviour, openaiDialect.annotations);

  const route = (request: FakeRequest): Reply => {
    const denied = checkBearer(request, options.apiKey);
    if (denied !== undefined) return denied;
    const { method, path } = request;
    const suffix = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : undefined;
    if (suffix === undefined) return openaiErrors.invalidUrl(method, path);

    if (method === "GET" && suffix === "models") return jsonReply(200, modelList(models));
    if (method === "GET" && suffix.startsWith("models/")) {
      const id = decodeURIComponent(suffix.slice("models/".length));
      return models.has(id) ? jsonReply(200, modelObject(id)) : openaiErrors.modelNotFound(id);
    }
    const endpoint = endpointNamed(suffix);
    if (endpoint === undefined || method !== "POST") return openaiErrors.invalidUrl(method, path);

    const body = bodyObject(request);
    if (body === undefined) return openaiErrors.invalidJson();
    if (typeof body.model !== "string" || body.model === "") return openaiErrors.missingModel();
    if (!models.has(body.model)) return openaiErrors.modelNotFound(body.model);
    return runner.run(endpoint, body, body.model);
  };

  return startFakeServer({
    dialect: openaiDialect,
    route,
    basePath: "/v1",
    port: behaviour.port,
    chunkDelayMs: behaviour.chunkDelayMs,
    record: behaviour.record,
  });
}
