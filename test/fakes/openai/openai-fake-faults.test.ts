/**
 * Every fault kind, seen through the official client's typed errors. Each
 * test uses its own fake (or a per-request header), so faults never leak
 * between tests.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { FAULT_HEADER, startOpenAIFake, type Fault, type FakeServer } from "../index.js";

const fakes: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(options: ConstructorParameters<typeof OpenAI>[0] = {}): Promise<{ fake: FakeServer; client: OpenAI }> {
  const fake = await startOpenAIFake();
  fakes.push(fake);
  return { fake, client: new OpenAI({ baseURL: fake.url, apiKey: "sk-any", maxRetries: 0, ...options }) };
}

const CHAT = { model: "gpt-4o", messages: [{ role: "user" as const, content: "one two three" }] };

function faultHeader(fault: Fault): { headers: Record<string, string> } {
  return { headers: { [FAULT_HEADER]: JSON.stringify(fault) } };
}

/** Resolves with the next item of an iterator, or "pending" if none arrives within `ms`. */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([iterator.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("status faults", () => {
  it("answers with the status and OpenAI's error body", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "status", status: 500 });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 500, type: "server_error" });
    fake.setFault({ kind: "status", status: 503 });
    await expect(client.chat.completions.create(CHAT)).rejects.toMatchObject({ status: 503 });
    fake.setFault(null);
    await expect(client.chat.completions.create(CHAT)).resolves.toMatchObject({ object: "chat.completion" });
  });

  it("sends a custom body", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "status", status: 400, body: { error: { message: "custom", type: "x", param: "p", code: "c" } } });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ message: "400 custom", param: "p", code: "c" });
  });

  it("limits a fault to `times` requests, so a retrying client recovers", async () => {
    const { fake, client } = await setup({ maxRetries: 2 });
    fake.setFault({ kind: "status", status: 503, times: 2 });
    const res = await client.chat.completions.create(CHAT);
    expect(res.choices[0]?.message.content).toBe("echo: one two three");
    expect(fake.requests).toHaveLength(3);
    await expect(client.chat.completions.create(CHAT)).resolves.toBeDefined();
  });
});

describe("rate limits", () => {
  it("answers 429 with retry-after, reset headers and OpenAI's rate-limit body", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "rate_limit", retryAfterSeconds: 20 });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit).toMatchObject({ status: 429, type: "requests", code: "rate_limit_exceeded", param: null });
    expect(rateLimit.message).toContain("Rate limit reached for gpt-4o");
    expect(rateLimit.headers.get("retry-after")).toBe("20");
    expect(rateLimit.headers.get("x-ratelimit-reset-requests")).toBe("20s");
    expect(rateLimit.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  });
});

describe("slow and broken connections", () => {
  it("delays the first byte: a short client timeout fires, a patient client gets the answer", async () => {
    const { fake, client } = await setup({ timeout: 100 });
    fake.setFault({ kind: "slow_first_byte", delayMs: 400 });
    await expect(client.chat.completions.create(CHAT)).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const patient = new OpenAI({ baseURL: fake.url, apiKey: "sk-any", maxRetries: 0 });
    const started = Date.now();
    await expect(patient.chat.completions.create(CHAT)).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("stalls a stream after N events, keeping the socket open until the client gives up", async () => {
    const { client } = await setup();
    const stream = await client.chat.completions.create(
      { ...CHAT, stream: true },
      faultHeader({ kind: "stall_mid_stream", afterChunks: 2 }),
    );
    const iterator = stream[Symbol.asyncIterator]();
    expect(await nextWithin(iterator, 1000)).toMatchObject({ done: false });
    expect(await nextWithin(iterator, 1000)).toMatchObject({ done: false });
    expect(await nextWithin(iterator, 300)).toBe("pending");
    stream.controller.abort();
  });

  it("stalls a non-stream body halfway", async () => {
    const { client } = await setup({ timeout: 300 });
    const res = await client.chat.completions
      .create(CHAT, faultHeader({ kind: "stall_mid_stream", afterChunks: 0 }))
      .asResponse();
    // Headers arrived; the body never completes (the client's timeout only covers the headers).
    const body = res.text().then(
      () => "done",
      () => "failed",
    );
    expect(await Promise.race([body, new Promise((r) => setTimeout(() => r("pending"), 300))])).toBe("pending");
  });

  it("drops the connection before answering", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "drop_connection" });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it("drops the connection after N stream events", async () => {
    const { client } = await setup();
    const stream = await client.chat.completions.create(
      { ...CHAT, stream: true },
      faultHeader({ kind: "drop_mid_stream", afterChunks: 3 }),
    );
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((e: unknown) => e);
    expect(received).toHaveLength(3);
    // undici reports a body cut short as `TypeError: terminated`; the SDK passes it through.
    expect(error).toBeInstanceOf(TypeError);
  });

  it("sends truncated JSON with a 200", async () => {
    // logLevel off: the SDK logs the unparseable event before throwing.
    const { fake, client } = await setup({ logLevel: "off" });
    fake.setFault({ kind: "malformed_json" });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    const stream = await client.chat.completions.create({ ...CHAT, stream: true });
    const streamError = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(SyntaxError);
  });

  it("closes promptly while a stream is stalled", async () => {
    const fake = await startOpenAIFake();
    const client = new OpenAI({ baseURL: fake.url, apiKey: "sk-any", maxRetries: 0 });
    fake.setFault({ kind: "stall_mid_stream", afterChunks: 1 });
    const stream = await client.chat.completions.create({ ...CHAT, stream: true });
    const consumed = (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((e: unknown) => e);
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await consumed).toBeInstanceOf(Error);
  });
});

describe("per-request faults", () => {
  it("faults only the request that carries the header, even concurrently", async () => {
    const { client } = await setup();
    const [faulted, clean] = await Promise.allSettled([
      client.chat.completions.create(CHAT, faultHeader({ kind: "status", status: 502 })),
      client.chat.completions.create(CHAT),
    ]);
    expect(faulted.status === "rejected" && faulted.reason).toBeInstanceOf(OpenAI.InternalServerError);
    expect(clean.status).toBe("fulfilled");
  });

  it("counts `times` per header value, so retries of the same request recover", async () => {
    const { fake, client } = await setup({ maxRetries: 1 });
    const res = await client.chat.completions.create(CHAT, faultHeader({ kind: "status", status: 500, times: 1 }));
    expect(res.object).toBe("chat.completion");
    expect(fake.requests).toHaveLength(2);
  });

  it("takes precedence over the server-wide fault", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "status", status: 500 });
    await expect(
      client.chat.completions.create(CHAT, faultHeader({ kind: "rate_limit", retryAfterSeconds: 1 })),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("rejects an invalid fault header with 400", async () => {
    const { client } = await setup();
    const error = await client.chat.completions
      .create(CHAT, { headers: { [FAULT_HEADER]: '{"kind":"explode"}' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("unknown kind");
  });
});
