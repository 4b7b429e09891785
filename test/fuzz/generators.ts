/**
 * Fuzzed requests against the gateway's public surface: the four model
 * endpoints and POST /admin/keys, with fuzzed gateway headers. Request i of a
 * run is a pure function of (seed, i), so any single failure replays alone.
 * Shared, with the client that sends them and judges the answers (at the
 * end), by test/fuzz/fuzz.test.ts (bounded, in `npm test`) and bench/fuzz.ts
 * (`npm run fuzz`), so the two cannot drift apart.
 */
import { Agent, request } from "undici";
import { seededRandom } from "../helpers/fixtures.js";

export const MODEL_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/messages"] as const;
export type FuzzEndpoint = (typeof MODEL_ENDPOINTS)[number] | "/admin/keys";
export const ENDPOINTS: readonly FuzzEndpoint[] = [...MODEL_ENDPOINTS, "/admin/keys"];

/** memberKey: a virtual key (role member) made before the run, so model calls also take the key path. */
export interface FuzzContext { adminKey: string; memberKey: string; bodyLimitBytes: number }

/** kind is "family:detail": which generator made the request, and with what. */
export interface FuzzRequest { index: number; endpoint: FuzzEndpoint; kind: string; headers: [string, string][]; body: string | Buffer }

/**
 * The gateway every fuzz run talks to: keys matter, bodies go through the
 * redactor, the cache is on. Its bounds are small (4 MB, 500 semantic
 * entries) so that a run exercises eviction and that the warm-up of `npm run
 * fuzz` fills them: its memory comparison before and after a run is then not
 * a comparison of cache fill levels.
 */
export function fuzzGatewayConfig(adminKey: string, bodyLimitMb: number): Record<string, unknown> {
  return { admin_key: adminKey, server: { body_limit_mb: bodyLimitMb }, logging: { level: "warn", bodies: true },
    providers: { mock: { type: "mock", chunk_size: 512 } },
    cache: { enabled: true, max_bytes: 4 * 1024 * 1024, semantic: { enabled: true, embedding_model: "mock/embed-lexical", max_entries: 500 } } };
}

/** JSON text spliced into a body as is: nesting too deep to build as objects, 1e309, -0, ... */
class Raw { constructor(readonly json: string) {} }
const raw = (json: string) => new Raw(json);

/** JSON.stringify that splices Raw pieces in (only the generated skeleton is walked, never the deep parts). */
function toJson(v: unknown): string {
  if (v instanceof Raw) return v.json;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

class Gen {
  constructor(private readonly r: () => number) {}
  int(lo: number, hi: number): number { return lo + Math.floor(this.r() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.r() * xs.length)]!; }
  chance(p: number): boolean { return this.r() < p; }
  words(n: number): string { return Array.from({ length: n }, () => this.pick(WORDS)).join(" "); }
}

const WORDS = ["hello", "gateway", "what", "is", "the", "weather", "in", "Paris", "reset", "my", "password", "john@example.com", "4111 1111 1111 1111", "sk-abcdefghijklmnopqrstuvwxyz012345", "+1 (555) 123-4567", "😀", "café", "日本"];
/** A few prompts reused often enough that the response cache hits. */
const REPEATED = ["How do I reset my password?", "What is the weather in Paris?", "hello", "Tell me a joke"];
const WEIRD_STRINGS = ["", " ", "\u0000", "a\u0000b", "\ud800", "\udfff", "x\ud83d", "\ud83d\ude00", "\ufeff", "\uffff", "\ufffe", "\u202e", "\u2028\u2029",
  "\u0085", "\u00ff", "\u0100", "𝕏", "\u001b[31m", "\r\n\r\n", "%00", "${HOME}", "{{x}}", "<script>", "'; DROP TABLE keys; --", "__proto__", "constructor", "\\", "\""];
const WRONG: readonly unknown[] = [null, true, false, 0, -1, 1.5, "", "x", [], {}, [null], [[]], { a: 1 }, ["x"], [1, 2, 3], raw("1e309"), "NaN", "\u0000", { type: "x" }];
const NUMBERS: readonly Raw[] = ["1e309", "-1e309", "-0", "-0.0", "1e-400", "9007199254740993", "1" + "0".repeat(400), "-1" + "0".repeat(310), "1E+2", "0.1e1", "1e308",
  "-1e308", "2147483648", "4294967296", "9007199254740992", "-9007199254740992", "5e-324", "0", "-1", "0.5", "123456789.123456789e-5", '"NaN"', '"Infinity"',
  '"-Infinity"', '"1e309"', '"0x10"', '""', '" 1"', "1e9", "1e15"].map(raw);
const DEPTHS = [100, 2_000, 10_000];

const MODELS = ["", " ", "\u0000", "mock/echo\u0000", "mock/\u0000echo", "\u0000mock/echo", "mock/ech\u0007o", "mock/echo\n", "mock/echo\r\nx-injected: 1", "\u0001\u001f",
  "mock/é", "mock/\u00ff", "mock/\u0100", "mock/中", "mock/😀", "mock/\ud800", "\ud800/echo", "provider/../x", "mock/../echo", "mock/../../etc/passwd", "../mock/echo",
  "mock/./echo", "mock//echo", "/echo", "mock/", "/", "//", "mock", "echo", "mock/echo/extra", "__proto__", "__proto__/echo", "constructor/echo", "prototype/echo",
  "toString", "hasOwnProperty/x", "mock/__proto__", "mock/constructor", "MOCK/ECHO", " mock/echo", "mock/echo ", "mock%2Fecho", "mock\\echo", "*", "mock/*", "mock/echo?x=1",
  "${MODEL}", "%s%s%s%n", "\u202emock/echo"];
const IMAGE_URLS = ["http://[", "http://[::1", "data:;base64,", "data:", "data:,", "data:image/png;base64,", "data:image/png;base64,%%%", "data:image/png,hello%",
  "data:image/png;base64,!!!", "data:text/plain;base64,AAAA", "data:;base64", "data:image/png;base64,iVBORw0KGgo=", "https://", "https://example.com:99999/x.png",
  "javascript:alert(1)", "file:///etc/passwd", "", " ", "\u0000", "//x", "http://user:pass@127.0.0.1:4000/admin/keys", "http://169.254.169.254/latest/meta-data/",
  "https://example.com/" + "a".repeat(10_000), "data:image/png;base64," + "A".repeat(200_000), "\ud800"];

/** Deeply nested JSON text, in one of a few shapes. */
function deep(g: Gen, depth: number): Raw {
  switch (g.int(0, 3)) {
    case 0: return raw("[".repeat(depth) + "]".repeat(depth));
    case 1: return raw('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
    case 2: return raw('{"type":"object","properties":{"x":'.repeat(depth) + '{"type":"string"}' + "}}".repeat(depth));
    default: return raw('[{"a":'.repeat(depth) + "null" + "}]".repeat(depth));
  }
}

/** Sets `path` ("messages.0.content") in a generated body, making containers on the way. */
function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  let at: Record<string | number, unknown> = body;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) return void (at[k] = value);
    const next = at[k];
    if (next === null || typeof next !== "object" || next instanceof Raw) at[k] = typeof keys[i + 1] === "number" ? [] : {};
    at = at[k] as Record<string | number, unknown>;
  });
}

/** Known fields per endpoint: where wrong types, deep values and odd numbers go. */
const FIELDS: Record<FuzzEndpoint, string[]> = {
  "/v1/chat/completions": ["model", "messages", "messages.0", "messages.0.role", "messages.0.content", "messages.0.content.0", "messages.0.content.0.type",
    "messages.0.content.0.text", "messages.0.content.0.image_url", "messages.0.content.0.image_url.url", "messages.0.name", "messages.0.tool_calls",
    "messages.0.tool_calls.0.function.arguments", "messages.0.tool_call_id", "stream", "stream_options", "stream_options.include_usage", "temperature", "top_p",
    "n", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "seed", "user", "stop", "tools", "tools.0", "tools.0.type", "tools.0.function",
    "tools.0.function.name", "tools.0.function.parameters", "tool_choice", "tool_choice.function", "response_format", "response_format.type",
    "response_format.json_schema", "logprobs", "top_logprobs", "logit_bias", "metadata", "parallel_tool_calls", "reasoning_effort", "prediction"],
  "/v1/completions": ["model", "prompt", "prompt.0", "stream", "stream_options", "max_tokens", "temperature", "top_p", "n", "stop", "seed", "echo", "suffix", "best_of", "logprobs", "user"],
  "/v1/embeddings": ["model", "input", "input.0", "input.0.0", "encoding_format", "dimensions", "user"],
  "/v1/messages": ["model", "max_tokens", "messages", "messages.0", "messages.0.role", "messages.0.content", "messages.0.content.0", "messages.0.content.0.type",
    "messages.0.content.0.text", "messages.0.content.0.source", "messages.0.content.0.source.data", "messages.1.content.0.input", "system", "system.0.text",
    "stop_sequences", "temperature", "top_p", "top_k", "stream", "metadata", "metadata.user_id", "tools", "tools.0.name", "tools.0.input_schema", "tools.0.type",
    "tool_choice", "tool_choice.type", "tool_choice.name", "thinking", "thinking.type", "thinking.budget_tokens"],
  "/admin/keys": ["name", "team_id", "role", "models", "models.0", "rpm", "tpm", "max_parallel", "budget_usd", "budget_period", "metadata", "expires_at"],
};
const NUMERIC: Record<FuzzEndpoint, string[]> = {
  "/v1/chat/completions": ["temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "seed", "top_logprobs", "logit_bias.50256"],
  "/v1/completions": ["max_tokens", "n", "best_of", "logprobs", "temperature", "seed", "prompt.0"],
  "/v1/embeddings": ["dimensions", "input.0", "input.0.0"],
  "/v1/messages": ["max_tokens", "temperature", "top_p", "top_k", "thinking.budget_tokens"],
  "/admin/keys": ["rpm", "tpm", "max_parallel", "budget_usd"],
};
/** Where deep values go, per endpoint. */
const DEEP_SPOTS: Record<FuzzEndpoint, string[]> = {
  "/v1/chat/completions": ["x_extra", "tools.0.function.parameters", "messages.0.content", "messages.0.content.0.extra", "response_format.json_schema.schema",
    "tool_choice", "stream_options", "metadata", "logit_bias", "messages.1.tool_calls.0.function.arguments"],
  "/v1/completions": ["prompt", "x_extra", "stream_options"],
  "/v1/embeddings": ["input", "x_extra"],
  "/v1/messages": ["tools.0.input_schema", "messages.1.content.0.input", "messages.2.content.0.content", "messages.0.content", "system", "metadata", "x_extra"],
  "/admin/keys": ["metadata", "metadata.a", "models", "name", "x_extra"],
};

function userContent(g: Gen): unknown {
  const text = g.chance(0.3) ? g.pick(REPEATED) : g.words(g.int(1, 12));
  if (g.chance(0.7)) return text;
  const parts: unknown[] = [{ type: "text", text }];
  if (g.chance(0.4)) parts.push({ type: "image_url", image_url: { url: g.pick(["data:image/png;base64,iVBORw0KGgo=", "https://example.com/cat.png"]) } });
  return parts;
}

/** A valid request for the endpoint (the mutators below break it in one place). */
function validBody(g: Gen, endpoint: FuzzEndpoint): Record<string, unknown> {
  const maybe = (p: number, fields: Record<string, unknown>) => (g.chance(p) ? fields : {});
  switch (endpoint) {
    case "/v1/chat/completions": {
      const tool = { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } } };
      const messages: unknown[] = [{ role: "user", content: userContent(g) }];
      if (g.chance(0.3)) messages.push({ role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "sunny" }, { role: "user", content: userContent(g) });
      if (g.chance(0.3)) messages.unshift({ role: "system", content: g.words(5) });
      return { model: "mock/echo", messages, ...maybe(0.3, { temperature: g.int(0, 20) / 10 }), ...maybe(0.3, { max_tokens: g.int(1, 500) }), ...maybe(0.2, { n: g.int(1, 3) }),
        ...maybe(0.25, { stream: true, ...maybe(0.5, { stream_options: { include_usage: g.chance(0.5) } }) }), ...maybe(0.25, { tools: [tool], tool_choice: "auto" }),
        ...maybe(0.15, { response_format: { type: g.pick(["text", "json_object"]) } }), ...maybe(0.1, { seed: g.int(0, 1e6), user: "u1", stop: ["\n"] }) };
    }
    case "/v1/completions":
      return { model: g.pick(["mock/echo", "mock/fixed"]), prompt: g.chance(0.7) ? g.words(g.int(1, 10)) : [g.words(3), g.words(2)],
        ...maybe(0.3, { max_tokens: g.int(1, 200) }), ...maybe(0.25, { stream: true }), ...maybe(0.2, { temperature: 0.5, stop: "." }) };
    case "/v1/embeddings":
      return { model: g.pick(["mock/echo", "mock/embed-lexical"]), input: g.pick([g.words(4), [g.words(2), g.words(3)], [1, 2, 3], [[1, 2], [3]]]),
        ...maybe(0.3, { encoding_format: g.pick(["float", "base64"]) }), ...maybe(0.2, { dimensions: g.int(1, 64) }) };
    case "/v1/messages":
      return { model: "mock/echo", max_tokens: g.int(1, 1024),
        messages: [{ role: "user", content: g.chance(0.6) ? g.words(g.int(1, 8)) : [{ type: "text", text: g.words(3) }] },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }, { type: "text", text: g.words(2) }] }],
        ...maybe(0.3, { system: g.words(4) }), ...maybe(0.25, { stream: true }), ...maybe(0.2, { thinking: { type: "enabled", budget_tokens: 2048 } }),
        ...maybe(0.25, { tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }], tool_choice: { type: "auto" } }) };
    case "/admin/keys":
      return { name: g.words(2), ...maybe(0.4, { role: g.pick(["admin", "manager", "member", "viewer"]) }), ...maybe(0.3, { models: ["mock/*"] }),
        ...maybe(0.3, { rpm: g.int(1, 1000), budget_usd: g.int(0, 100), budget_period: g.pick(["daily", "weekly", "monthly", "total"]) }),
        ...maybe(0.3, { metadata: { owner: g.words(1) } }), ...maybe(0.2, { expires_at: "2099-01-01T00:00:00Z" }) };
  }
}

const ADMIN_ODDITIES: [string, unknown][] = [["team_id", "team_does_not_exist"], ["team_id", ""], ["expires_at", "+275760-09-13T00:00:00.000Z"],
  ["expires_at", "-271821-04-20T00:00:00.000Z"], ["expires_at", "2024-02-30"], ["expires_at", "0"], ["expires_at", "1970-01-01T00:00:00Z"], ["expires_at", "not a date"],
  ["models", ["mock/(a+)+$", "[", "**", "\\"]], ["models", Array.from({ length: 1000 }, (_, i) => `m${i}/${"x".repeat(190)}`)], ["name", "x".repeat(201)], ["role", "root"],
  ["metadata", { __proto__x: 1, constructor: { prototype: { polluted: true } } }], ["budget_usd", 1e12], ["rpm", 2 ** 31 - 1], ["budget_period", "hourly"]];

/** Printable header values only (a client cannot send the rest): UTF-8 bytes read as latin1, control characters dropped. */
const headerSafe = (s: string) => Buffer.from(s, "utf8").toString("latin1").replace(/[\x00-\x08\x0a-\x1f\x7f]/g, "");

function metadataHeader(g: Gen): string {
  const depth = g.pick([100, 2_000, 10_000, 1_600]);
  const v = g.pick([() => toJson({ feature: "search" }), () => "[" + "[".repeat(depth) + "]".repeat(depth) + "]", () => `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`,
    () => '{"a":'.repeat(depth) + "1" + "}".repeat(depth), () => `{"a":"${"x".repeat(8 * 1024 - 8)}"}`, () => `{"a":"${"x".repeat(8 * 1024)}"}`, () => "{not json",
    () => "null", () => "1e309", () => '"x"', () => '{"a":1e309,"b":-0}', () => '{"a":"\\u0000\\ud800"}', () => '{"__proto__":{"polluted":1}}',
    () => '{"constructor":{"prototype":{"polluted":1}}}', () => toJson({ k: "é😀中" }), () => `{${Array.from({ length: 900 }, (_, i) => `"k${i}":1`).join(",")}}`,
    () => `{"a":[${"1,".repeat(3_000)}1]}`])();
  return headerSafe(v);
}

const HEADER_FUZZ: Record<string, (g: Gen, ctx: FuzzContext) => [string, string][]> = {
  "x-liaison-metadata": (g) => [["x-liaison-metadata", metadataHeader(g)]],
  "x-liaison-timeout-ms": (g) => [["x-liaison-timeout-ms", g.pick(["soon", "-1", "0", "1.5", "NaN", "Infinity", "86400001", "1e309", "9".repeat(400), "", " 30000 ", "30000", "86400000", "1e5", "0x7fffffff", "-0"])]],
  "x-liaison-cache": (g) => [["x-liaison-cache", headerSafe(g.pick(["bypass", "refresh", "hit", "", "BYPASS", "bypass, refresh", "normal", "\u00e9", "x".repeat(5_000)]))]],
  "x-liaison-cache-ttl": (g) => [["x-liaison-cache-ttl", g.pick(["600", "-1", "0", "1e309", "abc", "9".repeat(30), "9".repeat(400), "1.5"])]],
  "cache-control": (g) => [["cache-control", g.pick(["no-store", "no-cache", "max-age=0", "max-age=-1", "max-age=1e309", "max-age=" + "9".repeat(400), "max-age", "max-age=",
    "no-store, max-age=5", ",,,", "private", "max-age=NaN", "max-age=10, max-age=20", "\u00ff"].map(headerSafe))]],
  traceparent: (g) => [["traceparent", g.pick(["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-00000000000000000000000000000000-0000000000000000-00",
    "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-xyz", "00-" + "g".repeat(32) + "-" + "h".repeat(16) + "-01", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
    "00-" + "a".repeat(5_000), "", "0".repeat(55)])]],
  auth: (g, ctx) => g.pick<[string, string][]>([[], [["authorization", "Bearer wrong"]], [["authorization", "Bearer"]], [["authorization", `Bearer ${ctx.adminKey}x`]],
    [["authorization", `bearer   ${ctx.adminKey}  `]], [["authorization", "Basic YWRtaW46YWRtaW4="]], [["x-api-key", ctx.adminKey]], [["x-api-key", "wrong"]],
    [["authorization", "Bearer wrong"], ["x-api-key", ctx.adminKey]], [["authorization", "Bearer " + "x".repeat(8_000)]], [["authorization", headerSafe("Bearer é😀")]],
    [["authorization", `Bearer ${ctx.memberKey}`]], [["x-api-key", ctx.memberKey]], [["authorization", `Bearer ${ctx.adminKey}`], ["authorization", "Bearer other"]]]),
};

const CONTENT_TYPES = ["application/json; charset=utf-8", "APPLICATION/JSON", "application/json;", 'application/json; charset="utf-8"', "application/json, text/plain",
  "application/jsonx", "text/plain", "application/json; charset=utf-16le", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"];

/** Bodies that are not JSON objects, or not JSON at all. */
function rawBody(g: Gen): [string, string | Buffer] {
  const valid = '{"model":"mock/echo","messages":[{"role":"user","content":"';
  const bad = [[0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]];
  const depth = g.pick([100_000, 200_000]);
  const all: [string, () => string | Buffer][] = [["broken", () => "{"], ["truncated", () => valid + "hi"], ["trailing", () => '{"model":"mock/echo"}}'],
    ["NaN-literal", () => '{"a":NaN}'], ["single-quotes", () => "{'a':1}"], ["trailing-comma", () => '{"a":1,}'], ["comment", () => "/* c */{}"],
    ["bom", () => "\ufeff" + valid + 'hi"}]}'], ["proto", () => '{"__proto__":{"x":1},"model":"mock/echo"}'], ["ctor-proto", () => '{"constructor":{"prototype":{"x":1}}}'],
    ["dup-keys", () => '{"model":"mock/echo","model":5,"messages":[{"role":"user","content":"hi"}]}'], ["scalar", () => g.pick(['"\\ud800"', "[]", "null", "0", '""', "   ", "\u0000"])],
    ["bad-escape", () => valid + '\\u00"}]}'], ["long-number", () => `{"model":"mock/echo","n":${"1".repeat(100_000)}}`],
    ["bytes", () => Buffer.from(Array.from({ length: g.int(1, 300) }, () => g.int(0, 255)))],
    ["invalid-utf8", () => Buffer.concat([Buffer.from(valid), Buffer.from(g.pick(bad)), Buffer.from('"}]}')])],
    [`deep-root-${depth}`, () => "[".repeat(depth) + "]".repeat(depth)], [`deep-field-${depth}`, () => `${valid}hi"}],"x":${"[".repeat(depth)}${"]".repeat(depth)}}`],
    ["unclosed-deep", () => "[".repeat(500_000)]];
  const [label, make] = g.pick(all);
  return [label, make()];
}

/** A string of roughly `bytes` UTF-8 bytes, made of one repeated unit (some units tempt the PII detectors into backtracking). */
function hugeString(g: Gen, bytes: number): [string, string] {
  const unit = g.pick(["a", "1", "1 ", "a@", "a.", "x@y.", "\u0000", "\ud800", "é", "😀", "sk-", "-", " ", "4111 ", "\\", "\"", "<", "+1 555 ", "hello world "]);
  const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
  return [JSON.stringify(unit), unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)))];
}

/** setPath, returning the "field=value" detail of the request's kind. */
const set = (body: Record<string, unknown>, field: string, value: unknown) => (setPath(body, field, value), `${field}=${toJson(value).slice(0, 40)}`);
type Mutator = (g: Gen, endpoint: FuzzEndpoint, body: Record<string, unknown>, ctx: FuzzContext) => string;
const MUTATORS: [family: string, weight: number, endpoints: readonly FuzzEndpoint[] | null, mutate: Mutator][] = [
  ["valid", 20, null, () => ""],
  ["wrong-type", 14, null, (g, ep, body) => set(body, g.pick(FIELDS[ep]), g.pick(WRONG))],
  ["deep", 12, null, (g, ep, body) => {
    const spot = g.pick(DEEP_SPOTS[ep]), depth = g.pick(DEPTHS), value = deep(g, depth);
    setPath(body, spot, spot.endsWith("arguments") ? value.json : value);
    return `${spot} depth ${depth}`;
  }],
  ["huge", 4, null, (g, ep, body, ctx) => {
    const size = g.pick([64 * 1024, 512 * 1024, Math.floor(ctx.bodyLimitBytes * 0.8)]);
    const spot = g.pick([...FIELDS[ep].filter((f) => !/stream|max_tokens|^n$|dimensions|temperature|top_/.test(f)), "x_extra"]);
    if (g.chance(0.5)) {
      const [unit, s] = hugeString(g, size);
      setPath(body, spot, s);
      return `${spot} string of ${unit} × ${s.length}`;
    }
    const count = Math.floor(size / 8);
    setPath(body, spot, raw(`[${Array.from({ length: count }, () => g.pick(['"a"', "1", "{}", "null"])).join(",")}]`));
    return `${spot} array of ${count}`;
  }],
  ["unicode", 8, null, (g, ep, body) => {
    const spot = g.pick(FIELDS[ep].filter((f) => !/^(stream|n|temperature|top_p|seed|max_tokens|dimensions|rpm|tpm)$/.test(f)));
    const s = Array.from({ length: g.int(1, 4) }, () => g.pick(WEIRD_STRINGS)).join("");
    setPath(body, spot, ep !== "/admin/keys" && spot === "model" ? `mock/echo${s}` : s);
    return `${spot}=${JSON.stringify(s)}`;
  }],
  ["number", 8, null, (g, ep, body) => set(body, g.pick(NUMERIC[ep]), g.pick(NUMBERS))],
  ["admin-oddity", 3, ["/admin/keys"], (g, _ep, body) => set(body, ...g.pick(ADMIN_ODDITIES))],
  ["image-url", 5, ["/v1/chat/completions", "/v1/messages"], (g, ep, body) => {
    const url = g.pick(IMAGE_URLS);
    if (ep === "/v1/chat/completions") setPath(body, "messages.0.content", [{ type: "text", text: "look" }, { type: "image_url", image_url: g.chance(0.85) ? { url, detail: g.pick(["auto", "high", "ultra"]) } : url }]);
    else setPath(body, "messages.0.content", [{ type: "image", source: g.chance(0.5) ? { type: "url", url } : { type: "base64", media_type: g.pick(["image/png", "", "\u0000", "text/html"]), data: url } }]);
    return url.slice(0, 40);
  }],
  ["stream", 7, MODEL_ENDPOINTS, (g, ep, body) => {
    const [label, fields] = g.pick<[string, Record<string, unknown>]>([["true", { stream: true }], ["usage", { stream: true, stream_options: { include_usage: true } }],
      ["opts-junk", { stream: true, stream_options: g.pick(["yes", null, {}, { include_usage: "yes" }]) }], ["n=3", { stream: true, n: 3 }],
      ["string", { stream: "true" }], ["one", { stream: 1 }], ["null", { stream: null }], ["array", { stream: [true] }], ["stop", { stream: true, stop: ["o"], stop_sequences: ["o"] }],
      ["emoji", { stream: true, ...(ep === "/v1/completions" ? { prompt: "😀\ud800é".repeat(700) } : {}) }]]);
    Object.assign(body, fields);
    if (label === "emoji" && ep !== "/v1/completions" && ep !== "/v1/embeddings") setPath(body, "messages.0.content", "😀\ud800é".repeat(700));
    return label;
  }],
  ["model", 8, null, (g, ep, body, ctx) => {
    const long = () => g.pick(["mock/" + "a".repeat(g.pick([1_000, 100_000, Math.min(1_000_000, ctx.bodyLimitBytes >> 1)])), "mock/echo".repeat(10_000), "/".repeat(10_000), "mock/" + "\u0000".repeat(10_000), "é".repeat(50_000)]);
    const name = g.chance(0.2) ? long() : g.pick(MODELS);
    if (ep === "/admin/keys") body.models = [name];
    else body.model = name;
    return JSON.stringify(name.slice(0, 30)) + (name.length > 30 ? `…(${name.length})` : "");
  }],
  ["headers", 8, null, () => ""],
  ["raw-body", 3, null, () => ""],
];
const TOTAL_WEIGHT = MUTATORS.reduce((n, m) => n + m[1], 0);

/** Request `index` of the run with `seed`: the same pair always gives the same request. */
export function fuzzRequest(seed: number, index: number, ctx: FuzzContext): FuzzRequest {
  const g = new Gen(seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0));
  let w = g.int(0, TOTAL_WEIGHT - 1);
  const [family, , endpoints, mutate] = MUTATORS.find((m) => (w -= m[1]) < 0)!;
  const endpoint = g.pick(endpoints ?? ENDPOINTS);
  const body = validBody(g, endpoint);
  const headers: [string, string][] = [["content-type", "application/json"]];
  let detail = mutate(g, endpoint, body, ctx);
  let text: string | Buffer = toJson(body);
  let auth: [string, string][] = [["authorization", `Bearer ${g.chance(0.15) ? ctx.memberKey : ctx.adminKey}`]];
  if (family === "raw-body") [detail, text] = rawBody(g);
  // Every kind may carry a fuzzed gateway header; the "headers" kind carries several.
  for (const [name, make] of Object.entries(HEADER_FUZZ)) {
    if (!g.chance(family === "headers" ? 0.45 : 0.06)) continue;
    const made = make(g, ctx);
    if (name === "auth") auth = made;
    else headers.push(...made);
    detail += ` +${name}:${JSON.stringify((made[0]?.[1] ?? "none").slice(0, 24))}`;
  }
  if ((family === "headers" || family === "raw-body") && g.chance(0.25)) detail += ` +content-type:${(headers[0] = ["content-type", g.pick(CONTENT_TYPES)])[1]}`;
  return { index, endpoint, kind: `${family}:${detail.trim()}`, headers: [...headers, ...auth], body: text };
}

// ---- The client both runners use: send, judge, tally, report. ----

/** One answer, judged: `problem` says why it is a failure (no answer, a 5xx, an error not in the documented shape, a 200 stream that did not end properly). */
export interface Outcome { req: FuzzRequest; status: number | null; problem: string | null; head: string; ms: number }

/** Past this an error body is not kept (and the answer is judged too big to be one): some messages quote the model name asked for, which can be as long as the body limit. */
const MAX_ERROR_BODY = 8 * 1024 * 1024;

/**
 * Why an error answer is not in the documented shape (DESIGN.md §2), or null
 * when it is: OpenAI's `{"error":{"message","type","param","code"}}`, and on
 * /v1/messages Anthropic's `{"type":"error","error":{"type","message"}}`.
 * 408 and 431 are answered before any route is known (the request never
 * finished arriving): OpenAI's shape there on every path.
 */
export function errorShapeProblem(endpoint: FuzzEndpoint, status: number, text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${status} whose body is not JSON`;
  }
  const isString = (v: unknown) => typeof v === "string" && v.length > 0;
  const rec = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const top = rec(body);
  const err = rec(top?.error);
  const openai = err !== null && isString(err.message) && isString(err.type) && "param" in err && "code" in err
    && (err.param === null || typeof err.param === "string") && (err.code === null || typeof err.code === "string");
  const anthropic = top?.type === "error" && err !== null && isString(err.type) && isString(err.message);
  const connectionLevel = status === 408 || status === 431;
  if (endpoint === "/v1/messages" && !connectionLevel) return anthropic ? null : `${status} not in Anthropic's error shape`;
  return openai ? null : `${status} not in OpenAI's error shape`;
}

/** Sends one request and reads the whole answer within `timeoutMs`. */
export async function sendFuzz(dispatcher: Agent, url: string, req: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number | null = null, head = "", tail = "", problem: string | null = null;
  try {
    const res = await request(url + req.endpoint, { method: "POST", headers: req.headers.flat(), body: req.body, signal, dispatcher });
    status = res.statusCode;
    const errorChunks: Buffer[] = [];
    let errorBytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (head.length < 600) head += chunk.toString("utf8");
      tail = (tail + chunk.toString("latin1")).slice(-600);
      if (status >= 400 && errorBytes <= MAX_ERROR_BODY) {
        errorChunks.push(chunk);
        errorBytes += chunk.length;
      }
    }
    const end = req.endpoint === "/v1/messages" ? "event: message_stop" : "data: [DONE]";
    if (status >= 500) problem = String(status);
    else if (status >= 400) problem = errorBytes > MAX_ERROR_BODY ? `${status} with an error body over ${MAX_ERROR_BODY} bytes`
      : errorShapeProblem(req.endpoint, status, Buffer.concat(errorChunks).toString("utf8"));
    else if (status === 200 && String(res.headers["content-type"]).startsWith("text/event-stream") && !tail.trimEnd().endsWith(end) && !tail.includes(`${end}\n`)) {
      problem = tail.includes('"error"') ? "200 stream ended with an error event" : `200 stream ended without ${end}`;
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    const what = signal.aborted ? `none within ${timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`;
    problem = e.code === "UND_ERR_INVALID_ARG" ? `unsendable (a generator bug): ${e.message}`
      : status === null ? `no answer (${what})` : status >= 500 ? String(status) : `answer cut short (${what})`;
  }
  return { req, status, problem, head: head.slice(0, 600), ms: performance.now() - started };
}

export interface RunOptions {
  url: string; seed: number; count: number; concurrency: number; timeoutMs: number; ctx: FuzzContext;
  /** Replay only these request indices. */
  only?: number[];
  /** False once the server process has exited: nothing more is sent. */
  alive: () => boolean;
  onSend?: (req: FuzzRequest) => void;
  onOutcome?: (o: Outcome) => void;
}

/** `statuses`: endpoint → status (or "no answer") → count. */
export interface RunResult { sent: number; statuses: Map<string, Map<string, number>>; failures: Outcome[] }

/** Sends requests 0..count-1 of the seed's run, `concurrency` at a time. */
export async function runFuzz(o: RunOptions): Promise<RunResult> {
  const dispatcher = new Agent({ keepAliveTimeout: 5_000 });
  const indices = o.only ?? Array.from({ length: o.count }, (_, i) => i);
  const result: RunResult = { sent: 0, statuses: new Map(), failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < indices.length && o.alive()) {
      const req = fuzzRequest(o.seed, indices[next++]!, o.ctx);
      result.sent++;
      o.onSend?.(req);
      const out = await sendFuzz(dispatcher, o.url, req, o.timeoutMs);
      const row = result.statuses.get(req.endpoint) ?? new Map<string, number>();
      const key = out.status === null ? "no answer" : String(out.status);
      result.statuses.set(req.endpoint, row.set(key, (row.get(key) ?? 0) + 1));
      if (out.problem) result.failures.push(out);
      o.onOutcome?.(out);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await dispatcher.destroy();
  return result;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** One failure: its index (to replay it), the request and the start of the answer. */
export function describeOutcome(o: Outcome): string {
  const body = typeof o.req.body === "string" ? o.req.body : `<bytes ${o.req.body.toString("hex")}>`;
  const headers = o.req.headers.map(([k, v]) => `${k}: ${clip(v, 60)}`);
  return `#${o.req.index} POST ${o.req.endpoint} [${clip(o.req.kind, 160)}] → ${o.problem ?? o.status} (${Math.round(o.ms)} ms)\n` +
    `    headers: ${JSON.stringify(headers)}\n    body: ${JSON.stringify(clip(body, 300))}\n    answer: ${JSON.stringify(clip(o.head, 300))}`;
}

/** Failures grouped by endpoint, generator family and problem, largest group first, with samples. */
export function failureReport(failures: Outcome[], samplesPerGroup = 2): string {
  const groups = new Map<string, Outcome[]>();
  for (const f of failures) {
    const key = `${f.req.endpoint} ${f.req.kind.split(":")[0]} → ${f.problem}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].sort((a, b) => b[1].length - a[1].length)
    .map(([key, xs]) => `${xs.length} × ${key}\n${xs.slice(0, samplesPerGroup).map((x) => `  ${describeOutcome(x)}`).join("\n")}`).join("\n");
}
