/**
 * SSRF: where a request goes is the configuration's business only. Provider
 * base URLs come from the config; a client names a model, and that name may
 * reach an upstream URL as one path segment (Azure deployments, Bedrock
 * model ids, Gemini models and tuned models) — encoded, or refused with a
 * 400 when it holds a dot segment or characters no header may carry. No
 * body field, header, Responses API field or model name may change the
 * upstream's host, path or query.
 *
 * Every provider of each wire protocol points at one recording server: a
 * request that is not refused must arrive there, at the path its protocol
 * prescribes, with the client's name decoded from exactly one segment.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providersAt, startGateway, startRecorder, type Gateway, type Recorded, type Recorder } from "./upstream-target.js";

const ADMIN = "admin-key-ssrf-0123456789";
/** What encodeURIComponent leaves as is: no '/', '?', '#', '@' or ':' can be in a segment made of these. */
const SEGMENT = "([A-Za-z0-9\\-_.!~*'()%]+)";

let recorder: Recorder;
let gw: Gateway;

beforeAll(async () => {
  recorder = await startRecorder();
  gw = await startGateway({
    admin_key: ADMIN,
    routing: { retry: { max_attempts: 1 } },
    providers: providersAt(recorder),
    models: { smart: { targets: [{ provider: "az", model: "gpt-4o" }] } },
  });
});
afterAll(async () => {
  await gw?.close();
  await recorder?.close();
});

interface Protocol {
  /** The raw request URL the upstream must see; group 1, when present, is the segment holding the model. */
  url: RegExp;
  /** Where the model name travels when it is not in the URL. */
  inBody?: true;
  /** The name as it must arrive, for the name the client sent after `provider/`. */
  expected?: (name: string) => string;
}

const stripPrefix = (name: string) => name.replace(/^(models|tunedModels)\//, "");
const PROTOCOLS: Record<string, Protocol> = {
  oa: { url: /^\/v1\/chat\/completions$/, inBody: true },
  az: { url: new RegExp(`^/openai/deployments/${SEGMENT}/chat/completions\\?api-version=2024-10-21$`) },
  gem: { url: new RegExp(`^/v1beta/(?:models|tunedModels)/${SEGMENT}:generateContent$`), expected: stripPrefix },
  br: { url: new RegExp(`^/model/${SEGMENT}/converse$`) },
  ol: { url: /^\/api\/chat$/, inBody: true },
  an: { url: /^\/v1\/messages$/, inBody: true },
};

/** Names a client might try to steer an upstream URL with (the part after `provider/`). */
const HOSTILE_NAMES = [
  "gpt-4o?api-version=1999-01-01", "gpt-4o#", "gpt-4o#/../../admin", "x@evil.example", "@evil.example/x", "user:pass@evil.example",
  "%2e%2e%2fadmin", "..%2fadmin", "a/..%2f..%2fadmin", "a\\..\\..\\admin", "//evil.example/x", "http://evil.example/x",
  "x:streamGenerateContent?key=stolen", "tunedModels/x:transferOwnership?x=", "tunedModels/x#", "tunedModels/%2e%2e/models/y",
  "models/x?alt=json", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4", "a;b=c", "a%00b", "a%0d%0aset-cookie:x",
  "x/converse?y", "~root", "*", "a b",
];
/** Names with a dot segment or an unsafe character: refused with a 400 before anything is sent. */
const REFUSED_NAMES = ["..", ".", "../admin", "a/../../admin", "tunedModels/../../x", "models/./x", "x/..", "a\r\nhost: evil.example", "a\u0000b", "a\u0100b", "a\tb"];

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await request(`${gw.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }], ...extra });

/** What reached the recorder while `send` ran. */
async function arrivals(send: () => Promise<{ status: number; text: string }>): Promise<{ status: number; text: string; got: Recorded[] }> {
  const before = recorder.requests.length;
  const answer = await send();
  return { ...answer, got: recorder.requests.slice(before) };
}

function checkArrival(provider: string, name: string, got: Recorded[], answer: { status: number; text: string }): void {
  const p = PROTOCOLS[provider]!;
  const what = `${provider}/${name} → ${answer.status} ${answer.text.slice(0, 200)}`;
  // Not refused, so it must have arrived here (and nowhere else: the answer is the recorder's 400, not an unreachable host's 502).
  expect(got.length, what).toBe(1);
  const arrived = got[0]!;
  expect(arrived.host, what).toBe(recorder.host);
  expect(arrived.method, what).toBe("POST");
  const m = p.url.exec(arrived.url);
  expect(m, `${what}: arrived at ${arrived.url}`).not.toBeNull();
  const expected = (p.expected ?? ((n: string) => n))(name);
  if (p.inBody) expect((JSON.parse(arrived.body) as { model: string }).model, what).toBe(expected);
  else expect(decodeURIComponent(m![1]!), `${what}: arrived at ${arrived.url}`).toBe(expected);
  expect(answer.status, what).toBe(400);
}

describe("model names never steer an upstream URL", () => {
  for (const provider of Object.keys(PROTOCOLS)) {
    it(`${provider}: each name arrives as one encoded segment (or in the body) at the protocol's own path, or is refused`, async () => {
      for (const name of HOSTILE_NAMES) {
        const a = await arrivals(() => post("/v1/chat/completions", chat(`${provider}/${name}`)));
        if (a.status === 400 && a.got.length === 0) {
          // Refused by the gateway itself: the answer says so, in OpenAI's shape.
          expect(JSON.parse(a.text), `${provider}/${name}`).toMatchObject({ error: { type: "invalid_request_error", param: "model" } });
          continue;
        }
        checkArrival(provider, name, a.got, a);
      }
    });
  }

  it.each(REFUSED_NAMES)("%j is refused with a 400 on every protocol, before anything is sent", async (name) => {
    for (const provider of Object.keys(PROTOCOLS)) {
      const a = await arrivals(() => post("/v1/chat/completions", chat(`${provider}/${name}`)));
      expect(a.status, `${provider}/${JSON.stringify(name)}`).toBe(400);
      expect(a.got, `${provider}/${JSON.stringify(name)}`).toEqual([]);
    }
  });

  it("the Anthropic endpoint, the Responses API, embeddings and streams hold to the same rule", async () => {
    const name = "x?key=stolen#";
    const cases: [string, string, unknown, RegExp][] = [
      ["br", "/v1/messages", chat(`br/${name}`), new RegExp(`^/model/${SEGMENT}/converse$`)],
      ["az", "/v1/responses", { model: `az/${name}`, input: "hi" }, PROTOCOLS.az!.url],
      ["gem", "/v1/embeddings", { model: `gem/${name}`, input: "hi" }, new RegExp(`^/v1beta/models/${SEGMENT}:batchEmbedContents$`)],
      ["gem", "/v1/chat/completions", chat(`gem/${name}`, { stream: true }), new RegExp(`^/v1beta/models/${SEGMENT}:streamGenerateContent\\?alt=sse$`)],
      ["br", "/v1/chat/completions", chat(`br/${name}`, { stream: true }), new RegExp(`^/model/${SEGMENT}/converse-stream$`)],
    ];
    for (const [provider, path, body, url] of cases) {
      const a = await arrivals(() => post(path, body));
      const what = `${path} ${provider}: ${a.status} ${a.text.slice(0, 200)}`;
      expect(a.got.length, what).toBe(1);
      expect(a.got[0]!.host, what).toBe(recorder.host);
      const m = url.exec(a.got[0]!.url);
      expect(m, `${what}: arrived at ${a.got[0]!.url}`).not.toBeNull();
      expect(decodeURIComponent(m![1]!)).toBe(name);
    }
  });
});

describe("no body field or header chooses the upstream", () => {
  const steering = {
    base_url: "http://evil.example/v1", baseURL: "http://evil.example/v1", api_base: "http://evil.example", url: "http://evil.example/x",
    endpoint: "http://evil.example", host: "evil.example", provider: "evil", deployment_id: "../../admin",
    extra_headers: { host: "evil.example" }, extra_body: { base_url: "http://evil.example" }, metadata: { base_url: "http://evil.example" },
  };
  const headers = {
    host: "evil.example", "x-forwarded-host": "evil.example", forwarded: "host=evil.example", "x-original-url": "/admin/keys",
    "x-rewrite-url": "/admin/keys", "x-http-method-override": "GET", "x-liaison-provider": "evil", "x-liaison-base-url": "http://evil.example",
    "x-liaison-upstream": "http://evil.example", "x-liaison-model": "oa/other",
  };

  it.each(["smart", "oa/gpt-4o", "gem/gemini-2.0-flash", "br/anthropic.claude-3-haiku", "ol/llama3.2", "an/claude-sonnet-4-5"])(
    "%s: the request arrives at the configured upstream's own path, whatever the body and headers say", async (model) => {
      const a = await arrivals(() => post("/v1/chat/completions", chat(model, steering), headers));
      const provider = model === "smart" ? "az" : model.split("/")[0]!;
      checkArrival(provider, model === "smart" ? "gpt-4o" : model.slice(provider.length + 1), a.got, a);
      // The client's Host header is the gateway's business: the upstream is addressed as configured.
      expect(a.got[0]!.headers["x-forwarded-host"]).toBeUndefined();
      expect(a.got[0]!.headers["forwarded"]).toBeUndefined();
    });

  it("stored responses are looked up by id, never fetched: a path-like id is a 404 and nothing is sent", async () => {
    const before = recorder.requests.length;
    for (const id of ["..%2F..%2Fadmin%2Fkeys", "resp_x%3Fa%3Db", "resp_x%23", "http%3A%2F%2Fevil.example"]) {
      const res = await request(`${gw.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.statusCode, id).toBe(404);
      await res.body.dump();
    }
    const cont = await post("/v1/responses", { model: "oa/gpt-4o", input: "hi", previous_response_id: "../../admin/keys" });
    expect([400, 404], cont.text).toContain(cont.status);
    expect(recorder.requests.length).toBe(before);
  });
});
