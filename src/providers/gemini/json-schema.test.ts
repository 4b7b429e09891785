/**
 * JSON Schema → Gemini Schema corner cases not covered by the request fixtures.
 */
import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "./json-schema.js";

describe("toGeminiSchema", () => {
  it("turns a list of types into anyOf, keeping null as nullable", () => {
    expect(toGeminiSchema({ type: ["string", "number", "null"] }, "s")).toEqual({ anyOf: [{ type: "STRING" }, { type: "NUMBER" }], nullable: true });
  });

  it("keeps a real anyOf and infers types from properties, items and enums", () => {
    expect(toGeminiSchema({
      anyOf: [{ properties: { a: { type: "boolean" } } }, { items: { enum: [true, false] } }],
      description: "either",
    }, "s")).toEqual({
      description: "either",
      anyOf: [
        { type: "OBJECT", properties: { a: { type: "BOOLEAN" } } },
        { type: "ARRAY", items: { type: "BOOLEAN", description: "Allowed values: true, false." } },
      ],
    });
  });

  it("resolves draft-07 definitions and JSON-pointer escapes", () => {
    expect(toGeminiSchema({ properties: { x: { $ref: "#/definitions/a~1b" } }, definitions: { "a/b": { type: "integer", format: "int64" } } }, "s"))
      .toEqual({ type: "OBJECT", properties: { x: { type: "INTEGER", format: "int64" } } });
  });

  it("drops formats Gemini does not document", () => {
    expect(toGeminiSchema({ type: "string", format: "email" }, "s")).toEqual({ type: "STRING" });
  });

  it("refuses remote and dangling references", () => {
    expect(() => toGeminiSchema({ $ref: "https://example.com/s.json" }, "p")).toThrow(/not a local reference/);
    expect(() => toGeminiSchema({ properties: { a: { $ref: "#/$defs/missing" } } }, "p")).toThrow(/points to nothing/);
  });
});
