/** The exact key: what changes it, what must not, and team isolation. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/core/types.js";
import { cacheNamespace } from "../../src/cache/cache-namespace.js";
import { canonicalJson } from "../../src/cache/canonical-json.js";
import { exactKey, IGNORED_REQUEST_FIELDS } from "../../src/cache/exact-key.js";
import { chat } from "./helpers.js";

const at = { model: "smart", namespace: "team=a" };

/** The same JSON value with every object's keys in another order, at every depth. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const order = entries.map((e, i) => ({ e, r: Math.sin(seed * 7919 + i * 104729) })).sort((a, b) => a.r - b.r).map((x) => x.e);
  return Object.fromEntries(order.map(([k, v], i) => [k, shuffled(v, seed + i + 1)]));
}

const message = fc.record({
  role: fc.constantFrom("system", "user", "assistant"),
  content: fc.oneof(fc.string(), fc.array(fc.record({ type: fc.constant("text"), text: fc.string() }), { minLength: 1, maxLength: 3 })),
  name: fc.option(fc.string({ minLength: 1, maxLength: 5 }), { nil: undefined }),
}, { requiredKeys: ["role", "content"] });

const request = fc.record({
  model: fc.constantFrom("smart", "cheap"),
  messages: fc.array(message, { minLength: 1, maxLength: 4 }),
  temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
  max_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
  stop: fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: undefined }),
  response_format: fc.option(fc.record({ type: fc.constantFrom("text", "json_object") }), { nil: undefined }),
  extra_param: fc.option(fc.jsonValue(), { nil: undefined }),
}, { requiredKeys: ["model", "messages"] }) as fc.Arbitrary<ChatRequest>;

describe("exactKey", () => {
  it("is the namespace then a sha256", () => {
    expect(exactKey(chat("hi"), at)).toMatch(/^team=a:[0-9a-f]{64}$/);
  });

  it("does not depend on key order or on the whitespace of the JSON the request came from (property)", () => {
    fc.assert(fc.property(request, fc.integer(), (req, seed) => {
      const reordered = JSON.parse(JSON.stringify(shuffled(req, seed), null, seed % 2 ? 2 : "\t")) as ChatRequest;
      expect(exactKey(reordered, at)).toBe(exactKey(req, at));
    }), { numRuns: 300 });
  });

  it("changes with any message text (property)", () => {
    fc.assert(fc.property(request, fc.string({ minLength: 1 }), (req, suffix) => {
      const last = req.messages[req.messages.length - 1]!;
      const text = typeof last.content === "string" ? last.content : JSON.stringify(last.content);
      const changed = { ...req, messages: [...req.messages.slice(0, -1), { ...last, content: text + suffix }] };
      expect(exactKey(changed, at)).not.toBe(exactKey(req, at));
    }), { numRuns: 200 });
  });

  it("ignores fields that do not change the answer, and top-level nulls", () => {
    const base = exactKey(chat("hi"), at);
    const noise: Partial<ChatRequest> = {
      model: "an-alias", stream: true, stream_options: { include_usage: true }, user: "u-42", safety_identifier: "x",
      metadata: { a: "1" }, store: true, service_tier: "flex", prompt_cache_key: "k", seed: null, top_p: null,
    };
    expect(exactKey(chat("hi", noise), at)).toBe(base);
    for (const field of ["model", "stream", "user", "metadata"]) expect(IGNORED_REQUEST_FIELDS.has(field)).toBe(true);
  });

  it("counts every parameter that changes the answer, known or not", () => {
    const base = exactKey(chat("hi"), at);
    const variants: Partial<ChatRequest>[] = [
      { temperature: 0.7 }, { max_tokens: 10 }, { n: 2 }, { stop: ["\n"] }, { seed: 1 }, { top_p: 0.5 }, { logprobs: true },
      { response_format: { type: "json_object" } }, { tool_choice: "none" },
      { tools: [{ type: "function", function: { name: "f" } }] }, { reasoning_effort: "high" }, { some_future_param: 1 },
    ];
    const keys = variants.map((v) => exactKey(chat("hi", v), at));
    for (const k of keys) expect(k).not.toBe(base);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("depends on the resolved route, not on the name the client sent", () => {
    expect(exactKey(chat("hi", { model: "alias-1" }), { ...at, model: "smart" })).toBe(exactKey(chat("hi", { model: "alias-2" }), { ...at, model: "smart" }));
    expect(exactKey(chat("hi"), { ...at, model: "cheap" })).not.toBe(exactKey(chat("hi"), at));
  });

  it("never gives two teams the same key", () => {
    const a = cacheNamespace({ shared: false, teamId: "a" });
    const b = cacheNamespace({ shared: false, teamId: "b" });
    expect(exactKey(chat("hi"), { model: "smart", namespace: a })).not.toBe(exactKey(chat("hi"), { model: "smart", namespace: b }));
  });
});

describe("cacheNamespace", () => {
  it("isolates teams, then teamless keys, and shares only when configured", () => {
    expect(cacheNamespace({ shared: false, teamId: "t1", keyId: "k1" })).toBe("team=t1");
    expect(cacheNamespace({ shared: false, teamId: null, keyId: "k1" })).toBe("key=k1");
    expect(cacheNamespace({ shared: false })).toBe("global");
    expect(cacheNamespace({ shared: true, teamId: "t1" })).toBe("shared");
    // A team id cannot forge another namespace or the key separator.
    expect(cacheNamespace({ shared: false, teamId: "x:key=k1" })).toBe("team=x%3Akey%3Dk1");
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined like JSON.stringify", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"z":1}]},"b":1}');
    expect(canonicalJson([undefined, "é"])).toBe('[null,"é"]');
  });
});
