/**
 * The Bedrock fake, proven with the official AWS SDK client: if
 * BedrockRuntimeClient signs for it, parses its JSON, decodes its event
 * streams and raises its typed exceptions, the fake speaks Bedrock's wire
 * protocol, and the adapter's fixtures (checked against it) do too.
 *
 * The SDK defaults to HTTP/2 for this service; the fake is HTTP/1.1 (which
 * Bedrock also serves), so the client gets the SDK's HTTP/1.1 handler.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type Message,
  type Tool,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { FAULT_HEADER, type Fault } from "../_shared/faults.js";
import { STREAM_EXCEPTION_HEADER, startBedrockFake, type BedrockFakeOptions, type BedrockFakeServer } from "./bedrock-fake.js";

const CLAUDE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
const LLAMA = "meta.llama3-1-70b-instruct-v1:0";
const WEATHER: Tool = {
  toolSpec: { name: "get_weather", description: "Weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
};
const user = (text: string): Message => ({ role: "user", content: [{ text }] });

const fakes: BedrockFakeServer[] = [];
const clients: BedrockRuntimeClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup(options: BedrockFakeOptions = {}, clientOptions: Partial<ConstructorParameters<typeof BedrockRuntimeClient>[0]> = {}) {
  const fake = await startBedrockFake(options);
  fakes.push(fake);
  const client = new BedrockRuntimeClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: fake.credentials,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...clientOptions,
  });
  clients.push(client);
  return { fake, client };
}

/** Adds a header to every request before it is signed (how a test faults one SDK call). */
function withHeader(client: BedrockRuntimeClient, name: string, value: string): void {
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers[name] = value;
      return next(args);
    },
    { step: "build", name: `add-${name}` },
  );
}

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined): Promise<ConverseStreamOutput[]> {
  const out: ConverseStreamOutput[] = [];
  for await (const ev of stream ?? []) out.push(ev);
  return out;
}

describe("Converse", () => {
  it("answers a signed request for an inference profile id (':' in the path, double-encoded in the signature)", async () => {
    const { fake, client } = await setup();
    const res = await client.send(new ConverseCommand({ modelId: CLAUDE, system: [{ text: "be brief" }], messages: [user("hello there")] }));
    expect(res.output?.message).toEqual({ role: "assistant", content: [{ text: "echo: hello there" }] });
    expect(res.stopReason).toBe("end_turn");
    expect(res.usage).toEqual({ inputTokens: 4, outputTokens: 3, totalTokens: 7 });
    expect(res.metrics?.latencyMs).toBeGreaterThan(0);
    expect(res.$metadata.requestId).toMatch(/^00000000-0000-4000-8000-/);
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse" });
    expect(fake.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
  });

  it("plans tool use, then answers the tool result in text", async () => {
    const { client } = await setup();
    const first = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("What's the weather in Paris and Tokyo?")], toolConfig: { tools: [WEATHER] } }));
    expect(first.stopReason).toBe("tool_use");
    const uses = first.output?.message?.content?.map((b) => b.toolUse) ?? [];
    expect(uses).toMatchObject([
      { name: "get_weather", input: { city: "Paris" }, toolUseId: expect.stringMatching(/^tooluse_/) },
      { name: "get_weather", input: { city: "Tokyo" } },
    ]);
    const second = await client.send(
      new ConverseCommand({
        modelId: CLAUDE,
        toolConfig: { tools: [WEATHER] },
        messages: [
          user("What's the weather in Paris and Tokyo?"),
          first.output!.message!,
          { role: "user", content: uses.map((u) => ({ toolResult: { toolUseId: u!.toolUseId!, content: [{ json: { sky: "clear" } }] } })) },
        ],
      }),
    );
    expect(second.stopReason).toBe("end_turn");
    expect(second.output?.message?.content?.[0]?.text).toBe('echo: {"sky":"clear"} {"sky":"clear"}');
  });

  it("forces a tool with toolChoice any / tool; honours maxTokens and stop sequences", async () => {
    const { client } = await setup();
    const forced = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")], toolConfig: { tools: [WEATHER], toolChoice: { any: {} } } }));
    expect(forced.stopReason).toBe("tool_use");
    const cut = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("one two three four")], inferenceConfig: { maxTokens: 2 } }));
    expect(cut).toMatchObject({ stopReason: "max_tokens", output: { message: { content: [{ text: "echo: one" }] } } });
    const stopped = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("one two STOP three")], inferenceConfig: { stopSequences: ["STOP"] } }));
    expect(stopped).toMatchObject({ stopReason: "stop_sequence", output: { message: { content: [{ text: "echo: one two " }] } } });
  });

  it("returns reasoning for Claude with thinking enabled", async () => {
    const { client } = await setup();
    const res = await client.send(
      new ConverseCommand({ modelId: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", messages: [user("think")], additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } } }),
    );
    expect(res.output?.message?.content?.[0]?.reasoningContent?.reasoningText).toEqual({ text: "The user said: think", signature: expect.any(String) });
    expect(res.output?.message?.content?.[1]?.text).toBe("echo: think");
  });

  it("refuses what Bedrock refuses, with ValidationException", async () => {
    const { client } = await setup();
    const image = { image: { format: "png" as const, source: { bytes: new Uint8Array([137, 80, 78, 71]) } } };
    const cases: [ConstructorParameters<typeof ConverseCommand>[0], RegExp][] = [
      [{ modelId: LLAMA, messages: [{ role: "user", content: [image] }] }, /image content block/],
      [{ modelId: LLAMA, messages: [user("hi")], toolConfig: { tools: [WEATHER], toolChoice: { any: {} } } }, /toolChoice\.any/],
      [{ modelId: "mistral.mistral-7b-instruct-v0:2", system: [{ text: "x" }], messages: [user("hi")] }, /system messages/],
      [{ modelId: CLAUDE, messages: [user("a"), user("b")] }, /alternate/],
      [{ modelId: CLAUDE, messages: [user("a"), { role: "assistant", content: [{ toolUse: { toolUseId: "t", name: "f", input: {} } }] }] }, /toolConfig field must be defined/],
    ];
    for (const [input, message] of cases) {
      const err = await client.send(new ConverseCommand(input)).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toMatch(message);
    }
    // Images are fine for a vision model.
    await expect(client.send(new ConverseCommand({ modelId: "us.meta.llama3-2-11b-instruct-v1:0", messages: [{ role: "user", content: [image] }] }))).resolves.toBeDefined();
  });

  it("answers 404 ResourceNotFoundException for an unknown model", async () => {
    const { client } = await setup();
    const err = await client.send(new ConverseCommand({ modelId: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/nope", messages: [user("hi")] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ResourceNotFoundException", message: "Model not found.", $metadata: { httpStatusCode: 404 } });
  });
});

describe("authentication", () => {
  it("recomputes the signature: a wrong secret is 403 InvalidSignatureException", async () => {
    const { client } = await setup({}, { credentials: { accessKeyId: "AKIAFAKEBEDROCK00001", secretAccessKey: "not-the-secret" } });
    const err = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } });
    expect((err as Error).message).toContain("does not match the signature you provided");
  });

  it("an unknown key id is UnrecognizedClientException; a signature for another region is refused", async () => {
    const { client } = await setup({}, { credentials: { accessKeyId: "AKIAOTHER", secretAccessKey: "x" } });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    const { client: west } = await setup({ region: "us-west-2" }, { region: "us-east-1" });
    await expect(west.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ name: "IncompleteSignatureException" });
  });

  it("requires the session token when it has one", async () => {
    const { fake, client } = await setup({ sessionToken: "session-1" });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).resolves.toBeDefined();
    expect(fake.requests[0]?.headers["x-amz-security-token"]).toBe("session-1");
    const { client: without } = await setup({ sessionToken: "session-1" }, { credentials: { accessKeyId: "AKIAFAKEBEDROCK00001", secretAccessKey: "fake/Secret+Key/For/Bedrock/Tests0000001" } });
    await expect(without.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it("accepts a Bedrock API key as a Bearer token", async () => {
    const { fake, client } = await setup({ apiKey: "bedrock-api-key-1" }, { credentials: undefined, token: { token: "bedrock-api-key-1" }, authSchemePreference: ["httpBearerAuth"] });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).resolves.toBeDefined();
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer bedrock-api-key-1");
    const { client: wrong } = await setup({ apiKey: "bedrock-api-key-1" }, { credentials: undefined, token: { token: "nope" }, authSchemePreference: ["httpBearerAuth"] });
    await expect(wrong.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("ConverseStream", () => {
  it("streams text as binary event-stream frames the SDK decodes", async () => {
    const { fake, client } = await setup();
    const res = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("one two three")] }));
    const events = await collect(res.stream);
    expect(events).toEqual([
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "echo:" } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: " one" } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: " two" } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: " three" } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: "end_turn" } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: { latencyMs: expect.any(Number) } } },
    ]);
    expect(fake.requests[0]?.path).toBe("/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream");
  });

  it("streams tool use: start with id and name, input as JSON fragments", async () => {
    const { client } = await setup();
    const res = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("weather in Lyon")], toolConfig: { tools: [WEATHER] } }));
    const events = await collect(res.stream);
    expect(events[1]).toEqual({ contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: expect.stringMatching(/^tooluse_/), name: "get_weather" } } } });
    const input = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? "").join("");
    expect(JSON.parse(input)).toEqual({ city: "Lyon" });
    expect(events.filter((e) => e.contentBlockDelta).length).toBeGreaterThan(1);
    expect(events.at(-2)).toEqual({ messageStop: { stopReason: "tool_use" } });
  });

  it("refuses tools on ConverseStream for Llama (no streaming tool use)", async () => {
    const { client } = await setup();
    const err = await client.send(new ConverseStreamCommand({ modelId: LLAMA, messages: [user("weather in Lyon")], toolConfig: { tools: [WEATHER] } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ValidationException", message: "This model doesn't support tool use in streaming mode." });
  });

  it("ends a stream with an exception frame (server-wide, or per request by header)", async () => {
    const { fake, client } = await setup();
    fake.setStreamException({ exception: "throttlingException", afterEvents: 2, times: 1 });
    const res = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("one two three")] }));
    const seen: ConverseStreamOutput[] = [];
    const err = await (async () => {
      for await (const ev of res.stream ?? []) seen.push(ev);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(err).toMatchObject({ name: "ThrottlingException", message: "Too many requests, please wait before trying again." });
    // Used up: the next stream is clean.
    await expect(collect((await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("x")] }))).stream)).resolves.toHaveLength(6);

    withHeader(client, STREAM_EXCEPTION_HEADER, JSON.stringify({ exception: "modelStreamErrorException", afterEvents: 1 }));
    const again = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("x")] }));
    await expect(collect(again.stream)).rejects.toMatchObject({ name: "ModelStreamErrorException" });
  });
});

describe("faults", () => {
  it("status faults carry x-amzn-errortype, so the SDK raises the typed exception", async () => {
    const { fake, client } = await setup();
    fake.setFault({ kind: "status", status: 503, times: 1 });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({
      name: "ServiceUnavailableException",
      $metadata: { httpStatusCode: 503 },
    });
    fake.setFault({ kind: "status", status: 429, headers: { "x-amzn-errortype": "ModelNotReadyException" }, times: 1 });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ name: "ModelNotReadyException" });
    fake.setFault({ kind: "rate_limit", retryAfterSeconds: 3, times: 1 });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 429 },
    });
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).resolves.toBeDefined();
  });

  it("per-request faults by header; slow first byte; a stream dropped mid-way", async () => {
    const { client } = await setup();
    const fault: Fault = { kind: "status", status: 400, body: { message: "custom problem" } };
    withHeader(client, FAULT_HEADER, JSON.stringify(fault));
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }))).rejects.toMatchObject({ name: "ValidationException", message: "custom problem" });

    const { client: slow } = await setup();
    withHeader(slow, FAULT_HEADER, JSON.stringify({ kind: "slow_first_byte", delayMs: 300 }));
    const started = Date.now();
    await slow.send(new ConverseCommand({ modelId: CLAUDE, messages: [user("hi")] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    const { client: dropped } = await setup();
    withHeader(dropped, FAULT_HEADER, JSON.stringify({ kind: "drop_mid_stream", afterChunks: 2 }));
    const res = await dropped.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [user("one two three")] }));
    const seen: ConverseStreamOutput[] = [];
    const err = await (async () => {
      for await (const ev of res.stream ?? []) seen.push(ev);
    })().catch((e: unknown) => e);
    expect(seen.length).toBeLessThanOrEqual(2);
    expect(err).toBeInstanceOf(Error);
  });
});
