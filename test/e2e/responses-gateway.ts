/**
 * What the Responses API end-to-end tests share: one real CLI server in
 * front of the four upstream protocols' fakes (OpenAI, Anthropic, Gemini,
 * Ollama), and two virtual keys in two teams (stored responses are seen by
 * their own team only).
 */
import { startAnthropicFake, startGeminiFake, startOllamaFake, startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

export const ADMIN_KEY = "gw-admin-responses";

export interface Protocol {
  name: "openai" | "anthropic" | "gemini" | "ollama";
  /** The model a client sends: the provider named directly. */
  model: string;
  start: () => Promise<FakeServer>;
  provider: (fake: FakeServer) => Record<string, unknown>;
}

export const PROTOCOLS: Protocol[] = [
  { name: "openai", model: "openai/gpt-4o", start: () => startOpenAIFake({ apiKey: "sk-up" }), provider: (f) => ({ type: "openai", base_url: f.url, api_key: "sk-up" }) },
  { name: "anthropic", model: "anthropic/claude-sonnet-4-5", start: () => startAnthropicFake({ apiKey: "sk-ant-up" }), provider: (f) => ({ type: "anthropic", base_url: f.url, api_key: "sk-ant-up" }) },
  { name: "gemini", model: "gemini/gemini-2.5-flash", start: () => startGeminiFake({ apiKey: "g-up" }), provider: (f) => ({ type: "gemini", base_url: f.url, api_key: "g-up" }) },
  { name: "ollama", model: "ollama/llama3.2", start: () => startOllamaFake(), provider: (f) => ({ type: "ollama", base_url: f.url }) },
];

/** A 1×1 PNG, small enough for every fake's image checks. */
export const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export const WEATHER_TOOL = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

export const CITY_SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};

export interface ResponsesGateway {
  gw: CliServer;
  fakes: Map<Protocol["name"], FakeServer>;
  /** Base URL for OpenAI clients (…/v1). */
  baseURL: string;
  /** Member keys of two different teams. */
  teamA: string;
  teamB: string;
  /** The body of the last request a fake received. */
  lastSent(name: Protocol["name"]): unknown;
  close(): Promise<void>;
}

async function admin(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function teamKey(url: string, team: string): Promise<string> {
  const t = await admin(url, "/admin/teams", { name: team });
  const k = await admin(url, "/admin/keys", { name: `${team}-key`, team_id: t.id, role: "member" });
  return String(k.key);
}

export async function startResponsesGateway(): Promise<ResponsesGateway> {
  const fakes = new Map<Protocol["name"], FakeServer>();
  const providers: Record<string, unknown> = {};
  for (const p of PROTOCOLS) {
    const fake = await p.start();
    fakes.set(p.name, fake);
    providers[p.name] = p.provider(fake);
  }
  const gw = await startCli({ admin_key: ADMIN_KEY, logging: { level: "warn", flush_interval_ms: 20 }, providers });
  return {
    gw,
    fakes,
    baseURL: `${gw.url}/v1`,
    teamA: await teamKey(gw.url, "responses-a"),
    teamB: await teamKey(gw.url, "responses-b"),
    lastSent: (name) => fakes.get(name)!.requests.at(-1)?.body,
    async close() {
      await gw.dispose();
      await Promise.all([...fakes.values()].map((f) => f.close()));
    },
  };
}
