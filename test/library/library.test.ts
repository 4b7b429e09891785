/** createGateway: the same engine in-process, no HTTP. */
import { afterAll, describe, expect, it } from "vitest";
import { createGateway, ConfigError, GatewayError } from "../../src/index.js";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";

let fake: FakeServer | undefined;
afterAll(async () => { await fake?.close(); });

describe("createGateway", () => {
  it("chats, streams, completes and embeds through the mock provider, and records every call", async () => {
    const gateway = createGateway({ storage: { url: "memory:" }, providers: { demo: { type: "mock", text: "fixed reply" } } });
    const res = await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "in-process" }] });
    expect(res.choices[0]!.message.content).toBe("in-process");
    let text = "";
    for await (const chunk of gateway.chatStream({ model: "demo/other", messages: [{ role: "user", content: "x" }] })) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("fixed reply");
    const done = await gateway.completions({ model: "demo/echo", prompt: "legacy" });
    expect(done.choices[0]!.text).toBe("legacy");
    const emb = await gateway.embed({ model: "demo/echo", input: ["a", "b"] });
    expect(emb.data).toHaveLength(2);
    expect((await gateway.models()).map((m) => m.id)).toContain("demo/echo");
    const engine = await gateway.engine();
    await gateway.close(); // flushes the log writer
    const page = await engine.store!.queryLogs({});
    expect(page.data.map((r) => r.endpoint).sort()).toEqual(["/v1/chat/completions", "/v1/chat/completions", "/v1/completions", "/v1/embeddings"]);
  });

  it("breaking out of a stream cancels it and is recorded as client_closed", async () => {
    const gateway = createGateway({ storage: { url: "memory:" }, providers: { slow: { type: "mock", chunk_size: 1, chunk_delay_ms: 20 } } });
    let n = 0;
    for await (const _ of gateway.chatStream({ model: "slow/echo", messages: [{ role: "user", content: "a long reply that streams slowly" }] })) {
      if (++n === 3) break;
    }
    const engine = await gateway.engine();
    await gateway.close();
    const [row] = (await engine.store!.queryLogs({})).data;
    expect(row).toMatchObject({ stream: true, error_code: "client_closed" });
  });

  it("talks to a real upstream over HTTP", async () => {
    fake = await startOpenAIFake();
    const gateway = createGateway({ logging: { requests: false }, providers: { up: { type: "openai", base_url: fake.url } } });
    const res = await gateway.chat({ model: "up/gpt-4o", messages: [{ role: "user", content: "over http" }] });
    expect(res.choices[0]!.message.content).toBe("echo: over http");
    await gateway.close();
  });

  it("throws a ConfigError at once for a bad config, and GatewayErrors for bad requests", async () => {
    expect(() => createGateway({ providers: { x: { type: "nope" } } } as never)).toThrow(ConfigError);
    const gateway = createGateway({ storage: { url: "memory:" } });
    await expect(gateway.chat({ model: "mock/echo", messages: [] })).rejects.toMatchObject({ code: "invalid_request", status: 400 });
    await expect(gateway.chat({ model: "nobody", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(GatewayError);
    await gateway.close();
  });
});
