/**
 * Gemini: invariants of the GenerateContentRequest built from a random
 * canonical request (every text in order and in the right role, system text
 * in systemInstruction, images as inlineData/fileData, tools declared with
 * their property names and types, calls with their arguments, results linked
 * to their call by function name, generation parameters); a
 * GenerateContentResponse written from a random answer reads back as that
 * answer; and thought signatures survive response → next request.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/core/types.js";
import { toGenerateContentRequest } from "../../src/providers/gemini/request.js";
import { fromGenerateContentResponse } from "../../src/providers/gemini/response.js";
import { requiresThoughtSignatures, SKIP_SIGNATURE, thoughtSignatureOf } from "../../src/providers/gemini/tool-call-ids.js";
import type { GeminiContent, GeminiPart, GenerateContentRequest } from "../../src/providers/gemini/wire-types.js";
import { answerArb, parametersArb, requestArb, URL_EXTENSIONS, type Answer } from "./arbitraries.js";
import {
  answerOf, callsById, callsOf, expectedAnswer, isHttpsUrl, jsonObjectOf, maxTokensOf, overTheWire, parseDataUrl, propertyTypes, stopsOf, textsOf,
} from "./canonical-view.js";
import { check } from "./check.js";

/** Gemini 3 needs a thought signature on replayed calls; 2.5 does not. */
const models = fc.constantFrom("gemini-2.5-flash", "gemini-3-pro-preview");

/** One part of the conversation, flattened: what the properties compare. */
type Event =
  | { role: "user" | "model"; text: string }
  | { role: "user"; inline: { mimeType: string; data: string } }
  | { role: "user"; file: string }
  | { role: "model"; call: { name: string; args: unknown; signature: string | undefined } }
  | { role: "user"; result: { name: string; response: unknown } };

/** What the contents must hold, read from the canonical messages. */
function expectedEvents(request: ChatRequest): Event[] {
  const names = callsById(request);
  const signatures = requiresThoughtSignatures(request.model);
  return request.messages.flatMap((m): Event[] => {
    switch (m.role) {
      case "user":
        if (typeof m.content === "string") return [{ role: "user", text: m.content }];
        return (m.content ?? []).flatMap((p): Event[] => {
          if (p.type === "text") return [{ role: "user", text: p.text }];
          if (p.type !== "image_url") return [];
          const url = p.image_url.url;
          if (isHttpsUrl(url)) return [{ role: "user", file: url }];
          const { mediaType, data } = parseDataUrl(url);
          return [{ role: "user", inline: { mimeType: mediaType, data } }];
        });
      case "assistant":
        return [
          ...textsOf(m.content).map((text): Event => ({ role: "model", text })),
          ...callsOf(m).map((c, j): Event => ({ role: "model", call: { name: c.name, args: c.args, signature: signatures && j === 0 ? SKIP_SIGNATURE : undefined } })),
        ];
      case "tool": {
        const text = textsOf(m.content).join("");
        const name = names.get(m.tool_call_id ?? "")!.name;
        // The call's id goes back with its result, unless the gateway made it (Gemini never saw those).
        const base = (m.tool_call_id ?? "").split("__thought__")[0]!;
        const id = base !== "" && !/^call_[0-9a-f]{24}$/.test(base) ? base : undefined;
        return [{ role: "user", result: { ...(id ? { id } : {}), name, response: jsonObjectOf(text) ?? { result: text } } }];
      }
      default:
        return [];
    }
  });
}

function actualEvents(contents: GeminiContent[]): Event[] {
  return contents.flatMap((c) => c.parts.map((p: GeminiPart): Event => {
    const role = c.role!;
    if (p.text !== undefined) return { role, text: p.text };
    if (p.inlineData) return { role: "user", inline: p.inlineData };
    if (p.fileData) return { role: "user", file: p.fileData.fileUri };
    if (p.functionCall) return { role: "model", call: { name: p.functionCall.name, args: p.functionCall.args, signature: p.thoughtSignature } };
    if (p.functionResponse) return { role: "user", result: p.functionResponse };
    throw new Error(`unexpected part ${JSON.stringify(p)}`);
  }));
}

const GEMINI_TYPES: Record<string, string> = {
  string: "STRING", number: "NUMBER", integer: "INTEGER", boolean: "BOOLEAN", array: "ARRAY", object: "OBJECT",
};

/** `required` as Gemini must get it: only names that have a property (Gemini refuses the others). */
function expectedRequired(parameters: Record<string, unknown> | undefined): string[] | undefined {
  const properties = (parameters?.properties ?? {}) as Record<string, unknown>;
  const required = ((parameters?.required ?? []) as string[]).filter((name) => Object.hasOwn(properties, name));
  return required.length > 0 ? required : undefined;
}

/**
 * Schemas that hit the json-schema.ts prototype cases tested on their own below: a
 * property named `__proto__`, or a dangling `required` name that
 * Object.prototype happens to have. The main property skips them.
 */
function hitsPrototypeBugs(parameters: Record<string, unknown> | undefined): boolean {
  const properties = (parameters?.properties ?? {}) as Record<string, unknown>;
  const required = (parameters?.required ?? []) as string[];
  return Object.hasOwn(properties, "__proto__") || required.some((name) => !Object.hasOwn(properties, name) && name in {});
}

function declaredParameters(parameters: Record<string, unknown>): Record<string, unknown> | undefined {
  const request: ChatRequest = { model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f", parameters } }] };
  return build(request).tools![0]!.functionDeclarations[0]!.parameters as Record<string, unknown> | undefined;
}

function build(request: ChatRequest): GenerateContentRequest {
  return overTheWire(toGenerateContentRequest(request, { apiVersion: "v1beta" }));
}

describe("Gemini: canonical → GenerateContentRequest", () => {
  it("keeps every text, image, call and result in order, in the right role, in alternating contents", () => {
    check(fc.property(requestArb(models), (request) => {
      const body = build(request);
      expect(actualEvents(body.contents)).toEqual(expectedEvents(request));
      body.contents.forEach((c, i) => {
        expect(c.parts.length).toBeGreaterThan(0);
        if (i > 0) expect(c.role).not.toBe(body.contents[i - 1]!.role);
      });
      // An https image is referenced with a MIME type Gemini accepts, read from the URL's extension.
      for (const part of body.contents.flatMap((c) => c.parts)) {
        if (!part.fileData) continue;
        const ext = Object.keys(URL_EXTENSIONS).find((e) => part.fileData!.fileUri.endsWith(e));
        expect(part.fileData.mimeType).toEqual(ext === undefined ? expect.stringMatching(/^image\//) : URL_EXTENSIONS[ext]);
      }
      const system = request.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => textsOf(m.content).join(""));
      expect(body.systemInstruction).toEqual(system.length === 0 ? undefined : { parts: system.map((text) => ({ text })) });
    }));
  });

  it("declares every tool with its name, description and property names and types; maps tool_choice", () => {
    check(fc.property(requestArb(models).filter((r) => !(r.tools ?? []).some((t) => hitsPrototypeBugs(t.function.parameters))), (request) => {
      const body = build(request);
      const tools = request.tools ?? [];
      if (tools.length === 0) {
        expect(body.tools).toBeUndefined();
        expect(body.toolConfig).toBeUndefined();
        return;
      }
      const declarations = body.tools![0]!.functionDeclarations;
      expect(declarations.map((d) => [d.name, d.description])).toEqual(tools.map((t) => [t.function.name, t.function.description]));
      tools.forEach((tool, i) => {
        const declared = declarations[i]!.parameters;
        const properties = propertyTypes(tool.function.parameters);
        // Gemini refuses an OBJECT without properties: such a function declares no parameters at all.
        if (properties.length === 0) return expect(declared).toBeUndefined();
        expect(declared?.type).toBe("OBJECT");
        expect(propertyTypes(declared as Record<string, unknown>)).toEqual(properties.map(([name, type]) => [name, GEMINI_TYPES[type]]));
        expect(declared?.required).toEqual(expectedRequired(tool.function.parameters));
      });
      const choice = request.tool_choice;
      const expected = choice === undefined ? undefined
        : choice === "none" ? { mode: "NONE" } : choice === "auto" ? { mode: "AUTO" } : choice === "required" ? { mode: "ANY" }
        : { mode: "ANY", allowedFunctionNames: [choice.function.name] };
      expect(body.toolConfig?.functionCallingConfig).toEqual(expected);
    }));
  });

  it("maps max tokens, temperature, top_p, top_k and stop into generationConfig", () => {
    check(fc.property(requestArb(models, "none"), (request) => {
      const config = build(request).generationConfig ?? {};
      expect(config.maxOutputTokens).toBe(maxTokensOf(request));
      expect(config.temperature).toBe(request.temperature);
      expect(config.topP).toBe(request.top_p);
      expect(config.topK).toBe(request.top_k);
      expect(config.stopSequences).toEqual(stopsOf(request));
    }));
  });
});

describe("Gemini: JSON Schema → Schema, known bugs (src/providers/gemini/json-schema.ts)", () => {
  // BUG: Converter.#plain builds `properties` by assignment (`properties[name] = ...`, and #mergeAllOf
  // by Object.assign), so a property named "__proto__" sets the object's prototype instead of
  // becoming a key: the parameter vanishes, and a function whose only parameter it is declares none.
  // (Fastify refuses JSON bodies holding "__proto__" by default, so over HTTP it cannot arrive; a
  // library caller can send it.)
  it("keeps a parameter named __proto__", () => {
    const withProto = parametersArb.map((p) => ({
      ...p,
      properties: Object.fromEntries([...Object.entries(p.properties as object), ["__proto__", { type: "string" }]]),
    }));
    check(fc.property(withProto, (parameters) => {
      const declared = declaredParameters(parameters);
      expect(propertyTypes(declared)).toEqual(propertyTypes(parameters).map(([name, type]) => [name, GEMINI_TYPES[type]]));
    }));
  });

  // BUG: `required` is filtered with `r in properties`, which walks the prototype chain, so a
  // dangling required name that Object.prototype has ("constructor", "toString", ...) is kept
  // although no such property exists, against the file's own contract ("required (only names
  // that exist)"). Unlike "__proto__", such a body passes Fastify's poisoning checks.
  // Repro: parameters {type:"object", properties:{city:{type:"string"}}, required:["city","constructor"]}
  // → required ["city","constructor"]; expected ["city"].
  it("drops required names that have no property, whatever their spelling", () => {
    const dangling = fc.tuple(parametersArb, fc.constantFrom("constructor", "toString", "valueOf", "hasOwnProperty"))
      .filter(([p, name]) => !Object.hasOwn(p.properties as object, name) && Object.keys(p.properties as object).length > 0)
      .map(([p, name]) => ({ ...p, required: [...((p.required ?? []) as string[]), name] }));
    check(fc.property(dangling, (parameters) => {
      expect(declaredParameters(parameters)?.required).toEqual(expectedRequired(parameters));
    }));
  });
});

/** A thought signature as Gemini sends it: proto bytes in standard base64, padding included. */
const signatureArb = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b).toString("base64"));

const responseArb = fc.tuple(
  answerArb,
  fc.array(fc.record({ withId: fc.boolean(), signature: fc.option(signatureArb, { nil: undefined }) }), { minLength: 3, maxLength: 3 }),
);

function responseBody(answer: Answer, extras: { withId: boolean; signature: string | undefined }[]) {
  const parts: GeminiPart[] = [
    ...answer.texts.map((text) => ({ text })),
    ...answer.calls.map((c, i) => ({
      functionCall: { ...(extras[i]!.withId ? { id: c.id } : {}), name: c.name, args: c.args },
      ...(extras[i]!.signature === undefined ? {} : { thoughtSignature: extras[i]!.signature }),
    })),
  ];
  return {
    candidates: [{ index: 0, content: { role: "model", parts }, finishReason: "STOP" }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    modelVersion: "gemini-3-pro-preview",
    responseId: "resp-1",
  };
}

describe("Gemini: GenerateContentResponse → canonical", () => {
  it("keeps the text and every call's name and arguments (and id, when Gemini sent one); finish_reason tool_calls with calls", () => {
    check(fc.property(responseArb, ([answer, extras]) => {
      const choice = fromGenerateContentResponse(overTheWire(responseBody(answer, extras)), "gemini-3-pro-preview", "gemini").choices[0]!;
      const got = answerOf(choice.message);
      const want = expectedAnswer(answer.texts, answer.calls);
      expect({ ...got, calls: got.calls.map(({ name, args }) => ({ name, args })) })
        .toEqual({ ...want, calls: want.calls.map(({ name, args }) => ({ name, args })) });
      got.calls.forEach((call, i) => {
        if (extras[i]!.withId) expect(call.id.startsWith(answer.calls[i]!.id)).toBe(true);
      });
      expect(new Set(got.calls.map((c) => c.id)).size).toBe(got.calls.length);
      expect(choice.finish_reason).toBe(answer.calls.length > 0 ? "tool_calls" : "stop");
    }));
  });

  it("carries each call's thought signature into the next request, unchanged", () => {
    check(fc.property(responseArb, ([answer, extras]) => {
      fc.pre(answer.calls.length > 0);
      const message = fromGenerateContentResponse(overTheWire(responseBody(answer, extras)), "gemini-3-pro-preview", "gemini").choices[0]!.message;
      const calls = message.tool_calls!;
      calls.forEach((call, i) => expect(thoughtSignatureOf({ id: call.id })).toBe(extras[i]!.signature));
      const next: ChatRequest = {
        model: "gemini-3-pro-preview",
        messages: [
          { role: "user", content: "go" },
          message,
          ...calls.map((c) => ({ role: "tool" as const, tool_call_id: c.id, content: "ok" })),
        ],
      };
      const replayed = build(next).contents.flatMap((c) => c.parts).filter((p) => p.functionCall);
      // Calls that never had a signature get the documented placeholder on the first call only.
      expect(replayed.map((p) => p.thoughtSignature)).toEqual(extras.slice(0, calls.length).map((e, i) => e.signature ?? (i === 0 ? SKIP_SIGNATURE : undefined)));
      expect(replayed.map((p) => p.functionCall!.args)).toEqual(answer.calls.map((c) => c.args));
    }));
  });

  // Was a bug: Gemini-issued FunctionCall ids were kept as tool call ids but not sent back, so
  // results were matched by name and order only. content.proto asks for the matching id.
  it("sends a Gemini-issued call id back on the functionCall and on its functionResponse", () => {
    const withIds = answerArb.filter((a) => a.calls.length > 0);
    check(fc.property(withIds, (answer) => {
      const extras = answer.calls.map(() => ({ withId: true, signature: undefined }));
      const message = fromGenerateContentResponse(overTheWire(responseBody(answer, extras)), "gemini-2.5-flash", "gemini").choices[0]!.message;
      const next: ChatRequest = {
        model: "gemini-2.5-flash",
        messages: [
          { role: "user", content: "go" },
          message,
          ...message.tool_calls!.map((c) => ({ role: "tool" as const, tool_call_id: c.id, content: "ok" })),
        ],
      };
      const parts = build(next).contents.flatMap((c) => c.parts);
      const ids = answer.calls.map((c) => c.id);
      expect(parts.flatMap((p) => (p.functionCall ? [p.functionCall.id] : []))).toEqual(ids);
      expect(parts.flatMap((p) => (p.functionResponse ? [(p.functionResponse as { id?: string }).id] : []))).toEqual(ids);
    }));
  });
});
