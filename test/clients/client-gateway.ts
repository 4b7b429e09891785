/**
 * What the client suites share: the real CLI server in front of one fake
 * upstream per wire protocol (OpenAI, Anthropic, Gemini, Ollama), with a
 * configured model name per protocol (`via-openai`, …) and an embedding
 * model where the protocol has embeddings (`embed-openai`, …). Each test
 * file starts its own (one gateway process per file) and drives it with one
 * client library.
 */
import { expect } from "vitest";
import { z } from "zod";
import { startAnthropicFake, startGeminiFake, startOllamaFake, startOpenAIFake, type FakeServer, type RecordedRequest } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

/** The gateway's admin key: every client sends it, a wrong one gets 401. */
export const KEY = "gw-clients-key";

export type ProtocolName = "openai" | "anthropic" | "gemini" | "ollama";

export interface Protocol {
  name: ProtocolName;
  /** The configured model name a client sends. */
  model: string;
  /** The configured embedding model, where the protocol has embeddings. */
  embedModel?: string;
}

interface Upstream {
  start: () => Promise<FakeServer>;
  provider: (fake: FakeServer) => Record<string, unknown>;
  chat: string;
  embed?: string;
}

const UPSTREAMS: Record<ProtocolName, Upstream> = {
  openai: { start: () => startOpenAIFake({ apiKey: "sk-up" }), provider: (f) => ({ type: "openai", base_url: f.url, api_key: "sk-up" }), chat: "gpt-4o", embed: "text-embedding-3-small" },
  anthropic: { start: () => startAnthropicFake({ apiKey: "sk-ant-up" }), provider: (f) => ({ type: "anthropic", base_url: f.url, api_key: "sk-ant-up" }), chat: "claude-sonnet-4-5" },
  gemini: { start: () => startGeminiFake({ apiKey: "g-up" }), provider: (f) => ({ type: "gemini", base_url: f.url, api_key: "g-up" }), chat: "gemini-2.5-flash", embed: "text-embedding-004" },
  ollama: { start: () => startOllamaFake(), provider: (f) => ({ type: "ollama", base_url: f.url }), chat: "llama3.2", embed: "all-minilm" },
};

export const PROTOCOLS: Protocol[] = (Object.keys(UPSTREAMS) as ProtocolName[]).map((name) => ({
  name,
  model: `via-${name}`,
  ...(UPSTREAMS[name].embed !== undefined ? { embedModel: `embed-${name}` } : {}),
}));

/** The protocols with embeddings (Anthropic has none). */
export const EMBEDDING_PROTOCOLS = PROTOCOLS.filter((p) => p.embedModel !== undefined);

export interface ClientGateway {
  gw: CliServer;
  /** The root URL (what the Anthropic SDK and LangChain's ChatAnthropic want). */
  url: string;
  /** `${url}/v1` (what OpenAI clients and @ai-sdk/anthropic want). */
  baseURL: string;
  fake(name: ProtocolName): FakeServer;
  /** The requests a protocol's fake has received so far. */
  requests(name: ProtocolName): RecordedRequest[];
  /** The body of the last request the protocol's fake received. */
  lastBody(name: ProtocolName): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startClientGateway(): Promise<ClientGateway> {
  const names = Object.keys(UPSTREAMS) as ProtocolName[];
  const started = await Promise.all(names.map((name) => UPSTREAMS[name].start()));
  const fakes = new Map(names.map((name, i) => [name, started[i]!]));
  const providers: Record<string, unknown> = {};
  const models: Record<string, unknown> = {};
  for (const name of names) {
    const upstream = UPSTREAMS[name];
    providers[name] = upstream.provider(fakes.get(name)!);
    models[`via-${name}`] = { targets: [{ provider: name, model: upstream.chat }] };
    if (upstream.embed !== undefined) models[`embed-${name}`] = { targets: [{ provider: name, model: upstream.embed }] };
  }
  // The name docs/clients.md's snippets use for a model with tools and structured output.
  models.smart = { targets: [{ provider: "openai", model: UPSTREAMS.openai.chat }] };
  const gw = await startCli({ admin_key: KEY, providers, models });
  const fake = (name: ProtocolName) => fakes.get(name)!;
  return {
    gw,
    url: gw.url,
    baseURL: `${gw.url}/v1`,
    fake,
    requests: (name) => fake(name).requests,
    lastBody: (name) => {
      const last = fake(name).requests.at(-1);
      if (last === undefined) throw new Error(`the ${name} fake has received nothing`);
      return last.body as Record<string, unknown>;
    },
    async close() {
      await gw.dispose();
      await Promise.all([...fakes.values()].map((f) => f.close()));
    },
  };
}

/** A request as a client sent it to the gateway. */
export interface SentRequest {
  path: string;
  body: Record<string, unknown>;
}

/** A fetch for a client's options that records each request it sends (to tell which endpoint and fields a client uses). */
export function recordingFetch(sent: SentRequest[]): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    sent.push({ path: url.pathname, body: typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {} });
    return fetch(input, init);
  };
}

/** The question every tool round trip asks: the fakes call the first tool, with "Paris" in its city field. */
export const WEATHER_QUESTION = "What is the weather in Paris?";
/** What every test's get_weather tool answers; it must reach the upstream in the next request. */
export const WEATHER_RESULT = "sunny, 24C in Paris";
export const WeatherArgs = z.object({ city: z.string() });
/** Weather tool parameters as JSON Schema, for clients that take it raw. */
export const WEATHER_PARAMETERS = {
  type: "object" as const,
  properties: { city: { type: "string", description: "The city" } },
  required: ["city"],
  additionalProperties: false,
};

/** The structured output every suite asks for (only keywords every client's schema transform keeps). */
export const City = z.object({ city: z.string(), population: z.number().int(), landmarks: z.array(z.string()) });

/**
 * The final request of a tool round trip reached the upstream with the
 * tool's result in it (in the protocol's own shape: a `tool` message, a
 * `tool_result` block, a `functionResponse` part).
 */
export function expectToolResultSent(g: ClientGateway, name: ProtocolName, result = WEATHER_RESULT): void {
  expect(JSON.stringify(g.lastBody(name))).toContain(result);
}

/**
 * The fakes' answer after a tool result: "echo: " and the last user turn,
 * which is the question on the OpenAI and Ollama wires, the tool result on
 * Anthropic's (a `tool_result` block is a user turn) and Gemini's (the
 * `functionResponse`, as JSON).
 */
export function finalToolAnswer(name: ProtocolName, question = WEATHER_QUESTION, result = WEATHER_RESULT): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return name === "openai" || name === "ollama" ? new RegExp(`^echo: ${escape(question)}`) : new RegExp(`^echo: .*${escape(result)}`);
}
