/** The facade the engine calls: statuses, controls, TTLs, isolation, semantic lookups, stream ⇄ response. */
import { describe, expect, it } from "vitest";
import { answerFromChunks, answerFromResponse, responseOf } from "../../src/cache/answer.js";
import type { CacheErrorSite } from "../../src/cache/exact-store.js";
import { MemoryExactStore } from "../../src/cache/memory-exact-store.js";
import { MemorySemanticIndex } from "../../src/cache/memory-semantic-index.js";
import { replayChunks } from "../../src/cache/replay.js";
import { ResponseCache, type EmbedFn, type LookupOptions, type ModelCachePolicy } from "../../src/cache/response-cache.js";
import { answer, chat, fakeClock, lexicalEmbed, response, toolStream } from "./helpers.js";

const meta = { provider: "openai", upstreamModel: "gpt-4o", costUsd: 0.002 };
const o: LookupOptions = { model: "smart", namespace: "team=a", mode: "normal" };

function makeCache(opts: { semantic?: boolean; embed?: EmbedFn; policies?: Record<string, ModelCachePolicy>; errors?: CacheErrorSite[] } = {}) {
  const clock = fakeClock();
  const exact = new MemoryExactStore({ maxBytes: 1e7, maxEntryBytes: 1e6, now: clock.now });
  const index = new MemorySemanticIndex({ maxEntries: 1000, maxEntriesPerScope: 100, now: clock.now });
  const embedCalls: string[] = [];
  const embed: EmbedFn = async (text, signal) => {
    embedCalls.push(text);
    return (opts.embed ?? lexicalEmbed)(text, signal);
  };
  const cache = new ResponseCache({
    exact,
    ...(opts.semantic ? { semantic: { index, embed, threshold: 0.8 } } : {}),
    defaultTtlMs: 60_000,
    policyFor: (m) => opts.policies?.[m],
    onError: (_e, site) => opts.errors?.push(site),
    now: clock.now,
  });
  return { cache, clock, exact, index, embedCalls };
}

async function remember(cache: ResponseCache, question: string, text: string, lookup: Partial<LookupOptions> = {}, createdAt = 0) {
  const miss = await cache.lookup(chat(question), { ...o, ...lookup });
  expect(miss.status).toBe("miss");
  await miss.store!(answerFromResponse(response(text), { ...meta, createdAt }));
}

describe("ResponseCache", () => {
  it("misses, stores, then hits with the stored answer", async () => {
    const { cache } = makeCache();
    await remember(cache, "What is 2+2?", "4");
    const hit = await cache.lookup(chat("What is 2+2?"), o);
    expect(hit).toMatchObject({ status: "hit", answer: { provider: "openai", upstreamModel: "gpt-4o", costUsd: 0.002 } });
    expect(hit.store).toBeUndefined();
    expect(responseOf(hit.answer!).choices[0]!.message.content).toBe("4");
    expect((await cache.lookup(chat("What is 3+3?"), o)).status).toBe("miss");
  });

  it("bypass neither reads nor writes; refresh writes without reading", async () => {
    const { cache } = makeCache();
    await remember(cache, "q", "old");
    expect(await cache.lookup(chat("q"), { ...o, mode: "bypass" })).toEqual({ status: "bypass" });

    const refresh = await cache.lookup(chat("q"), { ...o, mode: "refresh" });
    expect(refresh.status).toBe("miss");
    expect(refresh.answer).toBeUndefined();
    await refresh.store!(answerFromResponse(response("new"), meta));
    expect((await cache.lookup(chat("q"), o)).answer!.response.choices[0]!.message.content).toBe("new");
  });

  it("expires entries after the default, the model's or the request's TTL (fake clock)", async () => {
    const { cache, clock } = makeCache({ policies: { quick: { ttlMs: 1_000 } } });
    await remember(cache, "default ttl", "a");
    await remember(cache, "model ttl", "b", { model: "quick" });
    await remember(cache, "request ttl", "c", { ttlMs: 5_000 });
    clock.advance(1_001);
    expect((await cache.lookup(chat("model ttl"), { ...o, model: "quick" })).status).toBe("miss");
    expect((await cache.lookup(chat("request ttl"), o)).status).toBe("hit");
    clock.advance(4_000);
    expect((await cache.lookup(chat("request ttl"), o)).status).toBe("miss");
    expect((await cache.lookup(chat("default ttl"), o)).status).toBe("hit");
    clock.advance(55_000);
    expect((await cache.lookup(chat("default ttl"), o)).status).toBe("miss");
  });

  it("serves only answers young enough for Cache-Control max-age", async () => {
    const { cache, clock } = makeCache();
    await remember(cache, "q", "a", {}, clock.now());
    clock.advance(30_000);
    expect((await cache.lookup(chat("q"), { ...o, maxAgeMs: 60_000 })).status).toBe("hit");
    expect((await cache.lookup(chat("q"), { ...o, maxAgeMs: 10_000 })).status).toBe("miss");
  });

  it("is off for a model whose policy disables it", async () => {
    const { cache } = makeCache({ policies: { private: { enabled: false } } });
    expect(await cache.lookup(chat("q"), { ...o, model: "private" })).toEqual({ status: "bypass" });
  });

  it("never serves one team's answer to another", async () => {
    const { cache } = makeCache({ semantic: true });
    await remember(cache, "What is the capital of France?", "Paris (team a)");
    const other = await cache.lookup(chat("What is the capital of France?"), { ...o, namespace: "team=b" });
    expect(other.status).toBe("miss");
    const paraphrase = await cache.lookup(chat("What's France's capital city?"), { ...o, namespace: "team=b" });
    expect(paraphrase.status).toBe("miss");
  });

  it("does not store an answer cut short", async () => {
    const { cache } = makeCache();
    const miss = await cache.lookup(chat("q"), o);
    await miss.store!(answerFromChunks(toolStream().slice(0, 4), meta));
    expect((await cache.lookup(chat("q"), o)).status).toBe("miss");
  });

  it("serves a non-stream request from a cached stream, and a stream from a cached response", async () => {
    const { cache } = makeCache();
    const streamed = await cache.lookup(chat("weather?", { stream: true }), o);
    await streamed.store!(answerFromChunks(toolStream(), meta));
    const plain = await cache.lookup(chat("weather?"), o);
    expect(plain.status).toBe("hit");
    expect(responseOf(plain.answer!).choices[0]!.message.tool_calls).toHaveLength(2);
    expect(replayChunks(plain.answer!, { id: "x", created: 1 })).toEqual(toolStream().map((c) => ({ ...c, id: "x", created: 1 })));

    await remember(cache, "plain first", "a reply in pieces ".repeat(10));
    const asStream = await cache.lookup(chat("plain first", { stream: true, stream_options: { include_usage: true } }), o);
    const chunks = replayChunks(asStream.answer!);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("a reply in pieces ".repeat(10));
    expect(chunks.at(-1)!.usage).toEqual(response("").usage);
  });

  it("close() waits for writes still in flight", async () => {
    const { cache, exact } = makeCache();
    const miss = await cache.lookup(chat("q"), o);
    void miss.store!(answer("late"));
    await cache.close();
    expect(exact.size).toBe(0); // closed after the write landed, which close() then cleared
  });
});

describe("ResponseCache, semantic", () => {
  it("answers a paraphrase from the cache, and not a different question sharing its words", async () => {
    const { cache } = makeCache({ semantic: true });
    await remember(cache, "How do I reset my password?", "Use the reset link.");
    const para = await cache.lookup(chat("I forgot my password, how do I reset it?"), o);
    expect(para.status).toBe("semantic-hit");
    expect(para.score).toBeGreaterThanOrEqual(0.8);
    expect(para.answer!.response.choices[0]!.message.content).toBe("Use the reset link.");
    expect((await cache.lookup(chat("How do I reset my router?"), o)).status).toBe("miss");
  });

  it("remembers a paraphrase that hit: asked again, it is an exact hit with no embedding call", async () => {
    const { cache, embedCalls } = makeCache({ semantic: true });
    await remember(cache, "How do I reset my password?", "Use the reset link.");
    expect((await cache.lookup(chat("I forgot my password, how do I reset it?"), o)).status).toBe("semantic-hit");
    const calls = embedCalls.length;
    const again = await cache.lookup(chat("I forgot my password, how do I reset it?"), o);
    expect(again.status).toBe("hit");
    expect(again.answer!.response.choices[0]!.message.content).toBe("Use the reset link.");
    expect(embedCalls.length).toBe(calls);
  });

  it("tries the exact entry first and embeds only on an exact miss, once per request", async () => {
    const { cache, embedCalls } = makeCache({ semantic: true });
    await remember(cache, "How do I reset my password?", "x");
    expect(embedCalls).toEqual(["How do I reset my password?"]); // lookup embedded; store reused the vector
    await cache.lookup(chat("How do I reset my password?"), o);
    expect(embedCalls).toHaveLength(1);
  });

  it("keeps near matches within their scope: system prompt, history, tools, parameters", async () => {
    const { cache } = makeCache({ semantic: true });
    await remember(cache, "How do I reset my password?", "x");
    const q = "I forgot my password, how do I reset it?";
    const variants = [
      chat(q, { messages: [{ role: "system", content: "Answer in French." }, { role: "user", content: q }] }),
      chat(q, { messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: q }] }),
      chat(q, { tools: [{ type: "function", function: { name: "lookup" } }] }),
      chat(q, { temperature: 1 }),
    ];
    for (const v of variants) expect((await cache.lookup(v, o)).status).toBe("miss");
    expect((await cache.lookup(chat(q), { ...o, model: "cheap" })).status).toBe("miss");
    expect((await cache.lookup(chat(q), o)).status).toBe("semantic-hit");
  });

  it("does not match by meaning when the last message is not user text", async () => {
    const { cache, embedCalls } = makeCache({ semantic: true });
    const image = chat("", { messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }] });
    expect((await cache.lookup(image, o)).status).toBe("miss");
    expect(embedCalls).toEqual([]);
  });

  it("embeds for a refresh at store time", async () => {
    const { cache, index } = makeCache({ semantic: true });
    const refresh = await cache.lookup(chat("How do I reset my password?"), { ...o, mode: "refresh" });
    await refresh.store!(answer("fresh"));
    expect(index.size).toBe(1);
    expect((await cache.lookup(chat("I forgot my password, how do I reset it?"), o)).status).toBe("semantic-hit");
  });

  it("turns a failing or slow embedding into a plain miss", async () => {
    const errors: CacheErrorSite[] = [];
    const failing = makeCache({ semantic: true, errors, embed: async () => { throw new Error("embedding model down"); } });
    await remember(failing.cache, "How do I reset my password?", "x");
    expect(errors).toEqual(["embed"]);
    expect((await failing.cache.lookup(chat("How do I reset my password?"), o)).status).toBe("hit"); // exact still works

    const slow = new ResponseCache({
      exact: new MemoryExactStore({ maxBytes: 1e6, maxEntryBytes: 1e5 }),
      semantic: {
        index: new MemorySemanticIndex({ maxEntries: 10, maxEntriesPerScope: 10 }),
        embed: (_t, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        threshold: 0.8,
        embedTimeoutMs: 50,
      },
      defaultTtlMs: 1_000,
    });
    const started = performance.now();
    expect((await slow.lookup(chat("anything"), o)).status).toBe("miss");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("misses when the vector points at an exact entry that is gone (evicted)", async () => {
    const one = new MemoryExactStore({ maxBytes: 700, maxEntryBytes: 700 }); // room for one small entry
    const index = new MemorySemanticIndex({ maxEntries: 10, maxEntriesPerScope: 10 });
    const cache = new ResponseCache({ exact: one, semantic: { index, embed: lexicalEmbed, threshold: 0.8 }, defaultTtlMs: 60_000 });
    await remember(cache, "How do I reset my password?", "x");
    await remember(cache, "Why is the sky blue?", "y"); // evicts the first entry, not its vector
    expect(one.size).toBe(1);
    expect(index.size).toBe(2);
    expect((await cache.lookup(chat("I forgot my password, how do I reset it?"), o)).status).toBe("miss");
  });
});
