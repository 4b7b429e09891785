/**
 * Requests a target cannot serve get a clear 400 before anything is sent
 * upstream: images to a text-only model, embeddings from a chat-only
 * provider, completions from a provider without them.
 */
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FAKE_AWS_CREDENTIALS, startAnthropicFake, startBedrockFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let bedrock: FakeServer;
let anthropic: FakeServer;
let gw: CliServer;
let client: OpenAI;
const PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

beforeAll(async () => {
  bedrock = await startBedrockFake();
  anthropic = await startAnthropicFake({ apiKey: "k" });
  gw = await startCli({
    providers: {
      aws: { type: "bedrock", base_url: bedrock.url, region: "us-east-1", access_key_id: FAKE_AWS_CREDENTIALS.accessKeyId, secret_access_key: FAKE_AWS_CREDENTIALS.secretAccessKey },
      claude: { type: "anthropic", base_url: anthropic.url, api_key: "k" },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await bedrock?.close();
  await anthropic?.close();
});

async function badRequest(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  return err as APIError;
}

it("refuses images for a text-only Bedrock model without calling Bedrock", async () => {
  const before = bedrock.requests.length;
  const err = await badRequest(client.chat.completions.create({
    model: "aws/us.meta.llama3-3-70b-instruct-v1:0",
    messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: PIXEL } }] }],
  }));
  expect(err.message).toMatch(/image/i);
  expect(bedrock.requests.length).toBe(before);
  // The same request to a vision model goes through.
  const ok = await client.chat.completions.create({
    model: "aws/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: PIXEL } }] }],
  });
  expect(ok.choices[0]!.message.content).toBeTruthy();
});

it("refuses embeddings and legacy completions from chat-only providers, naming the provider", async () => {
  const before = anthropic.requests.length;
  const emb = await badRequest(client.embeddings.create({ model: "claude/claude-sonnet-4-5", input: "x" }));
  expect(emb.message).toMatch(/provider 'claude' \(anthropic\).*does not support embeddings/);
  expect(emb.code).toBe("unsupported_operation");
  const cmp = await badRequest(client.completions.create({ model: "aws/us.anthropic.claude-3-5-sonnet-20241022-v2:0", prompt: "x" }));
  expect(cmp.message).toMatch(/does not support completions/);
  expect(anthropic.requests.length).toBe(before);
});
