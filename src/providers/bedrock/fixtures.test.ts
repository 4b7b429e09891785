/**
 * The mappers against recorded fixtures (fixtures/*.json): canonical request →
 * Converse body, Converse response → canonical, ConverseStream frames →
 * canonical chunks (fed in every way a network could cut them), and errors.
 */
import { readdirSync, readFileSync } from "node:fs";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChatRequest } from "../../core/types.js";
import { parseErrorBody } from "../_shared/upstream-error.js";
import { bedrockStatusError } from "./errors.js";
import { quirksOf } from "./model-family.js";
import { toConverseRequest } from "./request.js";
import { fromConverseResponse } from "./response.js";
import { ConverseStreamTranslator } from "./stream.js";

const dir = new URL("./fixtures/", import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), "utf8")) as T;
const named = (prefix: string): string[] => readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(".json") && f !== "request-errors.json");

interface ExpectedError { code?: string; status?: number; type?: string; param?: string; clientCode?: string; retryable?: boolean; message?: string; message_contains?: string }

function expectError(err: unknown, expected: ExpectedError): void {
  expect(err).toBeInstanceOf(GatewayError);
  const e = err as GatewayError;
  const { message_contains, message, ...fields } = expected;
  expect(e).toMatchObject(fields);
  if (message !== undefined) expect(e.message).toBe(message);
  if (message_contains !== undefined) expect(e.message).toContain(message_contains);
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

describe("request fixtures", () => {
  for (const file of named("request-")) {
    const f = load<{ description: string; request: ChatRequest; expected: unknown }>(file);
    it(`${file}: ${f.description}`, () => {
      expect(toConverseRequest(f.request, quirksOf(f.request.model))).toEqual(f.expected);
    });
  }

  const refused = load<{ cases: { name: string; request: ChatRequest; error: ExpectedError }[] }>("request-errors.json");
  for (const c of refused.cases) {
    it(`refuses: ${c.name}`, () => {
      expectError(catchError(() => toConverseRequest(c.request, quirksOf(c.request.model))), c.error);
    });
  }
});

describe("response fixtures", () => {
  for (const file of named("response-")) {
    const f = load<{ description: string; model: string; request_id: string; wire: unknown; expected: Record<string, unknown> }>(file);
    it(`${file}: ${f.description}`, () => {
      const res = fromConverseResponse(f.wire, f.model, f.request_id || undefined, "bedrock");
      expect(res).toMatchObject(f.expected);
      expect(res.choices[0]?.message).toEqual((f.expected.choices as { message: unknown }[])[0]?.message);
      expect(res.created).toBeGreaterThan(1_700_000_000);
      if (!f.request_id) expect(res.id).toMatch(/^chatcmpl-bedrock_[0-9a-f]{24}$/);
    });
  }

  it("rejects a body without output.message", () => {
    expectError(catchError(() => fromConverseResponse({ stopReason: "end_turn" }, "m", undefined, "bedrock")), { code: "upstream_error" });
  });
});

interface StreamFixture {
  description: string;
  model: string;
  include_usage: boolean;
  frames: { headers: Record<string, string>; payload: string }[];
  expected_chunks: Partial<ChatChunk>[];
  expected_error?: ExpectedError;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The fixture's frames as the bytes on the wire. */
function wireBytes(f: StreamFixture): Buffer {
  return Buffer.concat(
    f.frames.map((frame) => {
      const headers: MessageHeaders = {};
      for (const [k, v] of Object.entries(frame.headers)) headers[k] = { type: "string", value: v };
      return codec.encode({ headers, body: fromUtf8(frame.payload) });
    }),
  );
}

/** Runs bytes through a translator cut into pieces of `size` bytes; returns the chunks and the error, if any. */
function run(f: StreamFixture, bytes: Buffer, size: number): { chunks: ChatChunk[]; error?: unknown } {
  const t = new ConverseStreamTranslator({ provider: "bedrock", id: "chatcmpl-x", model: f.model, includeUsage: f.include_usage, created: 1 });
  const chunks: ChatChunk[] = [];
  try {
    for (let i = 0; i < bytes.length; i += size) chunks.push(...t.push(bytes.subarray(i, i + size)));
    t.end();
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

describe("stream fixtures", () => {
  for (const file of named("stream-")) {
    const f = load<StreamFixture>(file);
    const bytes = wireBytes(f);
    it(`${file}: ${f.description}`, () => {
      // Whole body, every frame boundary split, and byte by byte: the same chunks.
      for (const size of [bytes.length, 1, 3, 7, 64]) {
        const { chunks, error } = run(f, bytes, size);
        expect(chunks.map(({ choices, usage }) => (usage === undefined ? { choices } : { choices, usage }))).toEqual(f.expected_chunks);
        for (const c of chunks) expect(c).toMatchObject({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: f.model });
        if (f.expected_error) expectError(error, f.expected_error);
        else expect(error).toBeUndefined();
      }
    });
  }

  it("a corrupt frame (bad CRC) is stream_interrupted", () => {
    const f = load<StreamFixture>("stream-text.json");
    const bytes = Buffer.from(wireBytes(f));
    bytes[20] = (bytes[20] ?? 0) ^ 0xff;
    expectError(run(f, bytes, bytes.length).error, { code: "stream_interrupted", message_contains: "broken event stream" });
  });

  it("a body cut inside a frame is stream_interrupted even after messageStop", () => {
    const f = load<StreamFixture>("stream-text.json");
    const bytes = wireBytes(f);
    expectError(run(f, bytes.subarray(0, bytes.length - 5), 1000).error, { code: "stream_interrupted" });
  });
});

describe("error fixtures", () => {
  const f = load<{ cases: { name: string; status: number; headers: Record<string, string>; body: string; expected: ExpectedError }[] }>("errors.json");
  for (const c of f.cases) {
    it(c.name, () => {
      expectError(bedrockStatusError("bedrock", c.status, c.headers, parseErrorBody(c.body)), c.expected);
    });
  }
});
