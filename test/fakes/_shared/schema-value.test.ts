/**
 * The structured-output generator: every value it makes must pass the
 * schema it was made from. Zod schemas give both sides: z.toJSONSchema is
 * what the SDKs send, and the zod schema itself validates the value.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { schemaValue } from "./schema-value.js";

function roundTrip(schema: z.ZodType, options: Parameters<typeof z.toJSONSchema>[1] = {}): unknown {
  const value = schemaValue(z.toJSONSchema(schema, options));
  const parsed = schema.safeParse(value);
  expect(parsed.success, `${JSON.stringify(value)}: ${parsed.error?.message ?? ""}`).toBe(true);
  return value;
}

describe("schemaValue", () => {
  it("fills the required properties of an object, and only those", () => {
    const value = roundTrip(z.object({ name: z.string(), age: z.number().int(), nick: z.string().optional(), ok: z.boolean(), none: z.null() }));
    expect(value).toEqual({ name: "fake", age: 1, ok: true, none: null });
  });

  it("honours enums, literals, unions, nullables and discriminated unions", () => {
    expect(roundTrip(z.object({ color: z.enum(["red", "blue"]), kind: z.literal("x"), either: z.union([z.number(), z.string()]), maybe: z.string().nullable() })))
      .toEqual({ color: "red", kind: "x", either: 1, maybe: "fake" });
    roundTrip(z.discriminatedUnion("type", [z.object({ type: z.literal("a"), a: z.string() }), z.object({ type: z.literal("b"), b: z.number() })]));
  });

  it("makes arrays of minItems items, tuples and records", () => {
    expect(roundTrip(z.object({ tags: z.array(z.string()), pair: z.array(z.object({ x: z.number() })).min(2).max(3) }))).toEqual({ tags: [], pair: [{ x: 1 }, { x: 1 }] });
    roundTrip(z.tuple([z.string(), z.number()]));
    roundTrip(z.record(z.string(), z.number()));
    roundTrip(z.object({ o: z.object({ p: z.string() }) }).catchall(z.number()));
  });

  it("respects string lengths and formats", () => {
    roundTrip(z.object({
      short: z.string().max(2), long: z.string().min(10), email: z.email(), uuid: z.uuid(), url: z.url(),
      when: z.iso.datetime(), day: z.iso.date(),
    }));
  });

  it("moves numbers into their bounds", () => {
    roundTrip(z.object({
      big: z.number().int().min(10), small: z.number().max(-3), tight: z.number().gt(0).lt(0.5),
      strict: z.number().int().gt(1), step: z.number().multipleOf(7).min(8), cents: z.number().multipleOf(0.25).lt(1),
    }));
    expect(schemaValue({ type: "integer", minimum: 5, exclusiveMinimum: true })).toBe(6); // draft 4
  });

  it("resolves $refs, recursion included, and merges allOf", () => {
    const node: z.ZodType = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
    const shared = z.object({ id: z.string() });
    roundTrip(z.object({ a: shared, b: shared, tree: node }), { reused: "ref" });
    expect(schemaValue({ allOf: [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, { required: ["b"], properties: { b: { type: "integer" } } }] }))
      .toEqual({ a: "fake", b: 1 });
    expect(schemaValue({ definitions: { n: { type: "number" } }, type: "object", properties: { x: { $ref: "#/definitions/n" } }, required: ["x"] })).toEqual({ x: 1 });
  });

  it("reads Gemini's upper-case types, type lists and schemas without a type", () => {
    expect(schemaValue({ type: "OBJECT", properties: { n: { type: "INTEGER" }, s: { type: "STRING", nullable: true } }, required: ["n", "s"] })).toEqual({ n: 1, s: "fake" });
    expect(schemaValue({ type: ["null", "number"] })).toBe(1);
    expect(schemaValue({ properties: { q: { items: { type: "string" }, minItems: 1 } }, required: ["q"] })).toEqual({ q: ["fake"] });
  });

  it("lets the caller choose the text of plain strings by property name", () => {
    const value = schemaValue({ type: "object", properties: { city: { type: "string" }, note: { type: "string" } }, required: ["city", "note"] }, { text: (p) => (p === "city" ? "Paris" : "x") });
    expect(value).toEqual({ city: "Paris", note: "x" });
  });
});
