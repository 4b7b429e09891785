/**
 * A fake Azure OpenAI resource, in front of the same endpoint handlers as the
 * OpenAI fake. Two URL schemes:
 *   - dated:  POST /openai/deployments/{deployment}/{chat/completions|completions|embeddings}?api-version=…
 *             GET  /openai/models?api-version=…
 *   - v1:     POST /openai/v1/{chat/completions|completions|embeddings} (deployment in `model`)
 *             GET  /openai/v1/models
 * Auth is `api-key: <key>` (or `Authorization: Bearer <key>`, standing in for
 * an Entra ID token). Responses report the deployment name as `model`.
 *
 *   const fake = await startAzureFake({ apiKey: "az-key" });
 *   const client = new AzureOpenAI({ endpoint: fake.url, apiKey: "az-key", apiVersion: "2024-10-21", deployment: "gpt-4o" });
 */
import { createAzureDialect } from "./azure-dialect.js";
import { azureErrors } from "./azure-errors.js";
import { createEndpointRunner, endpointNamed, type EndpointName, type EndpointRunner } from "../openai/endpoint-runner.js";
import { resolveBehaviour, type FakeOptions } from "../_shared/fake-options.js";
import { bodyObject, type FakeRequest } from "../_shared/fake-request.js";
import { startFakeServer, type FakeServer } from "../_shared/fake-server.js";
import { modelList } from "../openai/models.js";
import { openaiErrors } from "../openai/openai-errors.js";
import { jsonReply, type Reply } from "../_shared/reply.js";

export interface AzureFakeOptions extends Omit<FakeOptions, "models"> {
  /** Deployment names the resource has (others get 404 DeploymentNotFound). */
  deployments?: string[];
  /** Add content-filter verdicts to responses, as Azure does (default true). */
  contentFilter?: boolean;
  /**
   * The model each deployment runs, reported as `model` in its answers as
   * real Azure does (gpt-4o-2024-08-06 for a deployment named prod-chat);
   * a deployment not listed reports its own name.
   */
  servedModels?: Record<string, string>;
}

export interface AzureFakeServer extends FakeServer {
  /** The resource endpoint (FakeServer.url), for `new AzureOpenAI({ endpoint })`. */
  endpoint: string;
  /** Base URL of the v1 surface, for `new OpenAI({ baseURL })`. */
  v1URL: string;
}

export const DEFAULT_DEPLOYMENTS: readonly string[] = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-35-turbo-instruct",
  "text-embedding-3-small",
  "text-embedding-3-large",
];

const DATED_ENDPOINT = /^\/openai\/deployments\/([^/]+)\/(.+)$/;
const V1_PREFIX = "/openai/v1/";

function checkApiKey(request: FakeRequest, apiKey: string | undefined): Reply | undefined {
  if (apiKey === undefined) return undefined;
  const header = request.headers["api-key"];
  const bearer = /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? "")?.[1];
  const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
  if (key === undefined || key === "") return azureErrors.missingKey();
  return key === apiKey ? undefined : azureErrors.invalidKey();
}

/** Runs an endpoint for a known deployment with a JSON body. */
function runFor(
  runner: EndpointRunner,
  deployments: ReadonlySet<string>,
  endpoint: EndpointName,
  request: FakeRequest,
  deployment: string | undefined,
  servedModels: Readonly<Record<string, string>>,
): Reply {
  const body = bodyObject(request);
  if (body === undefined) return openaiErrors.invalidJson();
  // The dated API takes the deployment from the path; v1 from the body.
  const name = deployment ?? body.model;
  if (typeof name !== "string" || name === "") return openaiErrors.missingModel();
  if (!deployments.has(name)) return azureErrors.deploymentNotFound();
  return runner.run(endpoint, body, Object.hasOwn(servedModels, name) ? servedModels[name]! : name);
}

export async function startAzureFake(options: AzureFakeOptions = {}): Promise<AzureFakeServer> {
  const behaviour = resolveBehaviour(options);
  const deployments = new Set(options.deployments ?? DEFAULT_DEPLOYMENTS);
  const servedModels = options.servedModels ?? {};
  const dialect = createAzureDialect(options.contentFilter ?? true);
  const runner = createEndpointRunner(behaviour, dialect.annotations);

  const route = (request: FakeRequest): Reply => {
    const denied = checkApiKey(request, options.apiKey);
    if (denied !== undefined) return denied;
    const { method, path } = request;

    if (path.startsWith(V1_PREFIX)) {
      const suffix = path.slice(V1_PREFIX.length);
      if (method === "GET" && suffix === "models") return jsonReply(200, modelList(deployments));
      const endpoint = endpointNamed(suffix);
      if (endpoint === undefined || method !== "POST") return azureErrors.resourceNotFound();
      return runFor(runner, deployments, endpoint, request, undefined, servedModels);
    }

    // The dated surface answers 404 to anything without an api-version, as Azure does.
    if (!request.query["api-version"]) return azureErrors.resourceNotFound();
    if (method === "GET" && path === "/openai/models") return jsonReply(200, modelList(deployments));
    const match = DATED_ENDPOINT.exec(path);
    const endpoint = match === null ? undefined : endpointNamed(match[2] ?? "");
    if (match === null || endpoint === undefined || method !== "POST") return azureErrors.resourceNotFound();
    return runFor(runner, deployments, endpoint, request, decodeURIComponent(match[1] ?? ""), servedModels);
  };

  const server = await startFakeServer({
    dialect,
    route,
    basePath: "",
    port: behaviour.port,
    chunkDelayMs: behaviour.chunkDelayMs,
    record: behaviour.record,
  });
  return { ...server, endpoint: server.url, v1URL: `${server.url}/openai/v1` };
}
