/**
 * plainChatRequest() lets the common chat request skip zod: it may only ever
 * say yes to what the schema accepts. Thousands of random requests, built
 * from valid values, boundary values and wrong types, check exactly that,
 * and that it does say yes to the ordinary requests it exists for.
 */
import { describe, expect, it } from "vitest";
import { chatSchema, plainChatRequest, validateChat } from "../../src/engine/validate.js";
import { seededRandom } from "../helpers/fixtures.js";

const rand = seededRandom(4242);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const ANY = [undefined, null, true, false, 0, -1, 1, 1.5, 2, 2.5, 128, 129, 20, 21, -2, -2.5, 9007199254740993, "", "x", "auto", [], ["a"], ["a", "b", "c", "d", "e"], [1], {}, { include_usage: true }, { include_usage: "yes" }, { type: "text" }];
const FIELDS = ["stream", "stream_options", "temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
  "seed", "user", "stop", "logprobs", "top_logprobs", "tools", "tool_choice", "response_format", "metadata", "extra_field"];
const ROLES = ["system", "developer", "user", "assistant", "tool", "function", "robot", "", 5];

function message(): unknown {
  if (rand() < 0.03) return pick([null, "hi", 5, [], [{ role: "user" }]]);
  const m: Record<string, unknown> = { role: pick(ROLES) };
  const content = rand();
  if (content < 0.7) m.content = pick(["hi", "", "a longer prompt"]);
  else if (content < 0.8) m.content = null;
  else if (content < 0.9) m.content = pick([5, true, [], [{ type: "text", text: "x" }], [{ type: "video" }], {}]);
  if (rand() < 0.2) m.name = pick(["bob", 5, null, ""]);
  if (rand() < 0.2) m.tool_call_id = pick(["call_1", 5, null]);
  if (rand() < 0.1) m.tool_calls = pick([[], [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }], "x"]);
  if (rand() < 0.1) m.extra = pick([1, "x", null]);
  return m;
}

function request(): unknown {
  if (rand() < 0.02) return pick([null, [], "x", 5]);
  const body: Record<string, unknown> = {};
  if (rand() < 0.95) body.model = pick(["gpt-4o-mini", "gpt-4o-mini", "mock/echo", "", 5, null]);
  if (rand() < 0.95) body.messages = rand() < 0.05 ? pick([[], "hi", {}, null]) : Array.from({ length: 1 + Math.floor(rand() * 3) }, message);
  const extras = Math.floor(rand() * 4);
  for (let i = 0; i < extras; i++) body[pick(FIELDS)] = pick(ANY);
  return body;
}

describe("plainChatRequest", () => {
  it("accepts only what the schema accepts (20 000 random requests)", () => {
    let fast = 0;
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = request();
      const schemaOk = chatSchema.safeParse(body).success;
      if (schemaOk) valid++;
      if (plainChatRequest(body)) {
        fast++;
        expect(schemaOk, JSON.stringify(body)).toBe(true);
      }
    }
    // Not vacuous: most valid requests here are plain ones and take the fast path.
    expect(fast).toBeGreaterThan(valid * 0.5);
  });

  it("takes the ordinary requests, and leaves tools, content parts and errors to the schema", () => {
    const plain = { model: "gpt-4o-mini", messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Hi" }], stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_tokens: 100, user: "u1", metadata: { a: 1 } };
    expect(plainChatRequest(plain)).toBe(true);
    expect(validateChat(plain)).toBe(plain);
    expect(plainChatRequest({ ...plain, tools: [{ type: "function", function: { name: "f" } }] })).toBe(false);
    expect(plainChatRequest({ ...plain, messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] })).toBe(false);
    expect(() => validateChat({ ...plain, temperature: 3 })).toThrow(/temperature/);
    expect(() => validateChat({ model: "m", messages: [{ role: "tool", content: "r" }] })).toThrow(/tool_call_id/);
  });
});
