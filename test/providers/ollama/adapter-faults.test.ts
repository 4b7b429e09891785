/**
 * The Ollama adapter when things go wrong: Ollama's error statuses, an error
 * line mid-stream, the fake's transport faults, a stream that ends without
 * its final object, timeouts, and a client that goes away (the upstream
 * request must be cancelled, not left generating).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/core/types.js";
import type { ProviderAdapter } from "../../../src/providers/types.js";
import { FAULT_HEADER, startOllamaFake, type FakeServer, type Fault } from "../../fakes/index.js";
import { TIMEOUTS, callContext, drain, drainToError, ollamaAdapter, rejection } from "./adapter-harness.js";

let fake: FakeServer;
let adapter: ProviderAdapter;

beforeAll(async () => {
  fake = await startOllamaFake();
  adapter = ollamaAdapter(fake.url);
});
afterAll(async () => {
  await adapter.close?.();
  await fake.close();
});

const CHAT: ChatRequest = { model: "llama3.2", messages: [{ role: "user", content: "a b c d e f g h" }] };
const STREAM: ChatRequest = { ...CHAT, stream: true };

function faulty(fault: Fault, timeouts = TIMEOUTS) {
  return callContext({ headers: { [FAULT_HEADER]: JSON.stringify(fault) }, timeouts });
}

describe("Ollama's error statuses", () => {
  const cases: [number, string, number][] = [
    [500, "upstream_error", 502],
    [502, "upstream_error", 502],
    [503, "upstream_unavailable", 503],
    [400, "invalid_request", 400],
  ];
  for (const [status, code, gatewayStatus] of cases) {
    it(`${status} → ${code} (${gatewayStatus})`, async () => {
      const err = await rejection(adapter.chat(CHAT, faulty({ kind: "status", status })));
      expect([err.code, err.status, err.retryable]).toEqual([code, gatewayStatus, status >= 500]);
      expect(err.message).toContain(status === 503 ? "server busy" : "");
    });
  }

  it("429 → rate_limited with Retry-After", async () => {
    const err = await rejection(adapter.chat(CHAT, faulty({ kind: "rate_limit", retryAfterSeconds: 9 })));
    expect([err.code, err.status, err.retryAfter, err.retryable]).toEqual(["rate_limited", 429, 9, true]);
  });

  it("a refused stream fails chatStream itself, before any chunk", async () => {
    const err = await rejection(adapter.chatStream(STREAM, faulty({ kind: "status", status: 503 })));
    expect(err.code).toBe("upstream_unavailable");
  });
});

describe("the model failing", () => {
  const CRASH: ChatRequest = { model: "llama3.2", messages: [{ role: "user", content: "please crash now" }] };

  it("mid-stream: an error line ends the stream with a GatewayError after the chunks before it", async () => {
    const { items, error } = await drainToError(await adapter.chatStream({ ...CRASH, stream: true }, callContext()));
    expect(items.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: please");
    expect(error).toMatchObject({ code: "upstream_error", status: 502, message: "Provider 'local' reported an error mid-stream: an error was encountered while running the model" });
  });

  it("before answering: a 500", async () => {
    const err = await rejection(adapter.chat(CRASH, callContext()));
    expect([err.code, err.status]).toEqual(["upstream_error", 502]);
    expect(err.message).toContain("an error was encountered while running the model");
  });
});

describe("transport faults", () => {
  it("a connection dropped mid-stream is stream_interrupted", async () => {
    const { items, error } = await drainToError(await adapter.chatStream(STREAM, faulty({ kind: "drop_mid_stream", afterChunks: 3 })));
    expect(items.length).toBeGreaterThan(0);
    expect(error.code).toBe("stream_interrupted");
    expect(error.message).toContain("provider 'local'");
  });

  it("a connection dropped before any byte is upstream_unreachable", async () => {
    const err = await rejection(adapter.chat(CHAT, faulty({ kind: "drop_connection" })));
    expect(err.code).toBe("upstream_unreachable");
  });

  it("a broken stream line is stream_interrupted", async () => {
    const { error } = await drainToError(await adapter.chatStream(STREAM, faulty({ kind: "malformed_json" })));
    expect(error.code).toBe("stream_interrupted");
    expect(error.message).toContain("not valid JSON");
  });

  it("a broken JSON body is upstream_error", async () => {
    const err = await rejection(adapter.chat(CHAT, faulty({ kind: "malformed_json" })));
    expect(err.code).toBe("upstream_error");
  });

  it("a server that sends nothing hits the first-byte timeout", async () => {
    const err = await rejection(adapter.chat(CHAT, faulty({ kind: "slow_first_byte", delayMs: 2000 }, { ...TIMEOUTS, firstByteMs: 200 })));
    expect(err.code).toBe("upstream_timeout");
    expect(err.message).toContain("first-byte");
  });

  it("a stream that stalls hits the idle timeout", async () => {
    const stream = await adapter.chatStream(STREAM, faulty({ kind: "stall_mid_stream", afterChunks: 2 }, { ...TIMEOUTS, idleMs: 200 }));
    const { items, error } = await drainToError(stream);
    expect(items.length).toBeGreaterThan(0);
    expect(error.code).toBe("upstream_timeout");
    expect(error.message).toContain("idle");
  });
});

/** A hand-written upstream for what the fake cannot do: end a stream early, report its sockets. */
interface RawUpstream { url: string; server: Server; connections: number; closedAt: number | undefined; linesSent: number }

const raws: Server[] = [];
afterEach(async () => {
  await Promise.all(raws.splice(0).map((server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  })));
});

async function rawUpstream(handle: (res: ServerResponse, raw: RawUpstream) => void): Promise<RawUpstream> {
  const raw: RawUpstream = { url: "", server: createServer(), connections: 0, closedAt: undefined, linesSent: 0 };
  raw.server.on("connection", () => { raw.connections += 1; });
  raw.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      res.on("close", () => { raw.closedAt ??= Date.now(); });
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      handle(res, raw);
    });
  });
  raws.push(raw.server);
  await new Promise<void>((resolve) => raw.server.listen(0, "127.0.0.1", resolve));
  raw.url = `http://127.0.0.1:${(raw.server.address() as AddressInfo).port}`;
  return raw;
}

const line = (content: string, done = false) =>
  `${JSON.stringify({ model: "llama3.2", created_at: new Date().toISOString(), message: { role: "assistant", content }, done, ...(done ? { done_reason: "stop", prompt_eval_count: 1, eval_count: 2 } : {}) })}\n`;

describe("stream endings", () => {
  it("a stream that ends cleanly but without done: true is stream_interrupted", async () => {
    const raw = await rawUpstream((res) => res.end(line("Hel") + line("lo")));
    const short = ollamaAdapter(raw.url);
    const { items, error } = await drainToError(await short.chatStream(STREAM, callContext()));
    expect(items.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello");
    expect(error.code).toBe("stream_interrupted");
    await short.close?.();
  });

  it("a complete stream leaves its connection in the pool for the next call", async () => {
    const raw = await rawUpstream((res) => res.end(line("Hi") + line("", true)));
    const pooled = ollamaAdapter(raw.url);
    for (let i = 0; i < 3; i++) {
      const chunks = await drain(await pooled.chatStream(STREAM, callContext()));
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
      // The drained connection returns to the pool a moment after the last chunk.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(raw.connections).toBe(1);
    await pooled.close?.();
  });

  it("aborting ctx.signal cancels the upstream request mid-stream", async () => {
    const raw = await rawUpstream((res, state) => {
      const timer = setInterval(() => {
        state.linesSent += 1;
        res.write(line(`w${state.linesSent} `));
      }, 20);
      res.on("close", () => clearInterval(timer));
    });
    const slow = ollamaAdapter(raw.url);
    const controller = new AbortController();
    const stream = await slow.chatStream(STREAM, callContext({ signal: controller.signal }));
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const abortedAt = Date.now();
    controller.abort();
    const err = await rejection(iterator.next());
    expect(err.code).toBe("client_closed");
    await expect.poll(() => raw.closedAt, { timeout: 2000 }).toBeDefined();
    expect(raw.closedAt! - abortedAt).toBeLessThan(1000);
    const sent = raw.linesSent;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(raw.linesSent).toBe(sent);
    await slow.close?.();
  });

  it("a consumer that stops reading early closes the upstream request", async () => {
    const raw = await rawUpstream((res, state) => {
      const timer = setInterval(() => {
        state.linesSent += 1;
        res.write(line("x "));
      }, 20);
      res.on("close", () => clearInterval(timer));
    });
    const early = ollamaAdapter(raw.url);
    for await (const chunk of await early.chatStream(STREAM, callContext())) {
      if (chunk.choices[0]?.delta.content) break;
    }
    await expect.poll(() => raw.closedAt, { timeout: 2000 }).toBeDefined();
    await early.close?.();
  });
});
