/**
 * JSON Schema (what OpenAI tools and `response_format.json_schema` carry) →
 * Gemini's `Schema` message, a subset of OpenAPI 3.0 (content.proto). Gemini
 * rejects keywords it does not know, so this is a whitelist: only the fields
 * of the Schema message survive.
 *
 * Converted:   type (lower-case → upper-case enum; a list → anyOf of its
 *              types, "null" in it → nullable), properties, required (only
 *              names that exist), items, anyOf/oneOf → anyOf ([X, null] → X
 *              nullable; no type but enum values → their type), allOf
 *              (merged), local $ref to #/$defs or #/definitions (inlined),
 *              enum (strings; other values are listed in the description),
 *              const → enum, examples[0] → example, and the bounds Gemini
 *              has: minimum, maximum, minLength, maxLength, pattern,
 *              minItems, maxItems, minProperties, maxProperties.
 * Kept as is:  title, description, default, propertyOrdering, nullable.
 * format:      only the ones Gemini acts on (date-time and enum for strings,
 *              int32/int64, float/double); others are dropped, as older
 *              models reject them.
 * Dropped:     $schema, $id, $defs/definitions (after inlining),
 *              additionalProperties, patternProperties, unevaluated*,
 *              exclusiveMinimum/Maximum, multipleOf, uniqueItems, contains,
 *              prefixItems, not, if/then/else, dependent*, readOnly,
 *              writeOnly, deprecated, $comment and anything else unknown.
 * Refused:     a recursive $ref (Gemini's Schema cannot refer to itself) and a
 *              non-local $ref: 400 invalid_request naming the path.
 */
import { GatewayError } from "../../core/errors.js";
import type { GeminiSchema } from "./wire-types.js";

type Json = Record<string, unknown>;
type GeminiType = NonNullable<GeminiSchema["type"]>;

const TYPES: Record<string, GeminiType> = {
  string: "STRING", number: "NUMBER", integer: "INTEGER", boolean: "BOOLEAN",
  array: "ARRAY", object: "OBJECT", null: "NULL",
};
const FORMATS: Partial<Record<GeminiType, readonly string[]>> = {
  STRING: ["date-time", "enum"],
  INTEGER: ["int32", "int64"],
  NUMBER: ["float", "double"],
};
const LOCAL_REF = /^#\/(\$defs|definitions)\/(.+)$/;
const NUMERIC_KEYS = ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] as const;

/** The one type all enum values share (Gemini requires a type), if they share one. */
function typeOfValues(values: unknown[]): GeminiType | undefined {
  const kinds = new Set(values.map((v) => (Number.isInteger(v) ? "INTEGER" : typeof v === "number" ? "NUMBER" : typeof v === "boolean" ? "BOOLEAN" : "other")));
  if (kinds.size === 2 && kinds.has("INTEGER") && kinds.has("NUMBER")) return "NUMBER";
  const [only] = kinds;
  return kinds.size === 1 && only !== "other" ? (only as GeminiType) : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Converter {
  readonly #root: Json;
  readonly #where: string;
  readonly #refs: string[] = [];

  constructor(root: Json, where: string) {
    this.#root = root;
    this.#where = where;
  }

  convert(schema: unknown, path: string): GeminiSchema {
    if (!isObject(schema)) return {};
    if (typeof schema.$ref === "string") return this.#ref(schema, path);
    const merged = Array.isArray(schema.allOf) ? this.#mergeAllOf(schema) : schema;
    const union = merged.anyOf ?? merged.oneOf;
    if (Array.isArray(union)) return this.#union(merged, union, path);
    return this.#plain(merged, path);
  }

  #fail(message: string): never {
    throw new GatewayError("invalid_request", `${this.#where}: ${message} Gemini's schema format cannot express it.`, { param: this.#where });
  }

  #ref(schema: Json, path: string): GeminiSchema {
    const ref = schema.$ref as string;
    if (!LOCAL_REF.test(ref)) this.#fail(`$ref '${ref}' at ${path} is not a local reference to #/$defs or #/definitions.`);
    if (this.#refs.includes(ref)) this.#fail(`$ref '${ref}' at ${path} is recursive.`);
    const target = this.#lookup(ref);
    if (target === undefined) this.#fail(`$ref '${ref}' at ${path} points to nothing.`);
    this.#refs.push(ref);
    try {
      // Sibling keywords of a $ref (e.g. a description) refine the target.
      const { $ref: _ref, ...siblings } = schema;
      return this.convert({ ...target, ...siblings }, path);
    } finally {
      this.#refs.pop();
    }
  }

  /** allOf: the parts' properties and required lists are united; other keywords, first one wins. */
  #mergeAllOf(schema: Json): Json {
    const { allOf, ...rest } = schema;
    const out: Json = { ...rest };
    const properties: Json = isObject(rest.properties) ? { ...rest.properties } : {};
    const required = new Set<string>(Array.isArray(rest.required) ? rest.required.filter((r): r is string => typeof r === "string") : []);
    for (const part of allOf as unknown[]) {
      const resolved = isObject(part) && typeof part.$ref === "string" ? this.#lookup(part.$ref) : part;
      if (!isObject(resolved)) continue;
      if (isObject(resolved.properties)) {
        for (const [name, value] of Object.entries(resolved.properties)) {
          Object.defineProperty(properties, name, { value, enumerable: true, writable: true, configurable: true });
        }
      }
      if (Array.isArray(resolved.required)) for (const r of resolved.required) if (typeof r === "string") required.add(r);
      for (const [key, value] of Object.entries(resolved)) if (!(key in out) && key !== "properties" && key !== "required") out[key] = value;
    }
    if (Object.keys(properties).length > 0) out.properties = properties;
    if (required.size > 0) out.required = [...required];
    return out;
  }

  /** The schema a local $ref names (JSON-pointer escapes decoded), if any. */
  #lookup(ref: string): Json | undefined {
    const match = LOCAL_REF.exec(ref);
    if (match === null) return undefined;
    const defs = this.#root[match[1] as string];
    let name: string;
    try {
      name = decodeURIComponent(match[2] as string).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined; // a malformed pointer names nothing
    }
    const target = isObject(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
    return isObject(target) ? target : undefined;
  }

  #union(schema: Json, options: unknown[], path: string): GeminiSchema {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const isNull = (o: unknown): boolean => isObject(o) && o.type === "null";
    const nonNull = options.filter((o) => !isNull(o));
    const nullable = nonNull.length < options.length;
    const base = this.#plain(rest, path);
    if (nonNull.length === 1) {
      // The Optional[X] pattern: one real option plus null.
      const only = this.convert(nonNull[0], `${path}.anyOf[0]`);
      return { ...only, ...base, ...(nullable ? { nullable: true } : {}) };
    }
    return {
      ...base,
      anyOf: nonNull.map((o, i) => this.convert(o, `${path}.anyOf[${i}]`)),
      ...(nullable ? { nullable: true } : {}),
    };
  }

  #plain(schema: Json, path: string): GeminiSchema {
    const out: GeminiSchema = {};
    const { types, nullable } = this.#types(schema);
    const type = types.length === 1 ? types[0] : undefined;
    if (type !== undefined) out.type = type;
    // Several real types ("type": ["string", "number"]) become one anyOf branch each.
    else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
    if (typeof schema.format === "string" && type !== undefined && FORMATS[type]?.includes(schema.format)) out.format = schema.format;
    if (typeof schema.title === "string") out.title = schema.title;
    let description = typeof schema.description === "string" ? schema.description : undefined;
    if (nullable || schema.nullable === true) out.nullable = true;

    const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
    if (values !== undefined) {
      const strings = values.filter((v): v is string => typeof v === "string");
      if (values.includes(null)) out.nullable = true;
      if (strings.length === values.filter((v) => v !== null).length && strings.length > 0) {
        out.enum = strings;
        out.type ??= "STRING";
      } else {
        // Gemini's enum holds strings only; keep the constraint readable for the model.
        const listed = values.map((v) => JSON.stringify(v)).join(", ");
        description = `${description ? `${description} ` : ""}Allowed values: ${listed}.`;
        out.type ??= typeOfValues(values.filter((v) => v !== null));
        if (out.type === undefined) delete out.type;
      }
    }
    if (description !== undefined) out.description = description;

    if (isObject(schema.properties)) {
      // defineProperty, not assignment: a property may be called __proto__ and must stay a property.
      const properties: Record<string, GeminiSchema> = {};
      for (const [name, sub] of Object.entries(schema.properties)) {
        Object.defineProperty(properties, name, { value: this.convert(sub, `${path}.properties.${name}`), enumerable: true, writable: true, configurable: true });
      }
      out.properties = properties;
      if (Array.isArray(schema.required)) {
        // Own properties only: `constructor` or `toString` must not pass for declared properties.
        const required = schema.required.filter((r): r is string => typeof r === "string" && Object.hasOwn(properties, r));
        if (required.length > 0) out.required = required;
      }
      if (Array.isArray(schema.propertyOrdering)) out.propertyOrdering = schema.propertyOrdering.filter((p): p is string => typeof p === "string");
    }
    if (isObject(schema.items)) out.items = this.convert(schema.items, `${path}.items`);
    for (const key of NUMERIC_KEYS) if (typeof schema[key] === "number") out[key] = schema[key];
    if (typeof schema.pattern === "string") out.pattern = schema.pattern;
    if ("default" in schema) out.default = schema.default;
    if ("example" in schema) out.example = schema.example;
    else if (Array.isArray(schema.examples) && schema.examples.length > 0) out.example = schema.examples[0];
    return out;
  }

  #types(schema: Json): { types: GeminiType[]; nullable: boolean } {
    const raw = schema.type;
    const known = (names: string[]): GeminiType[] => names.flatMap((n) => (TYPES[n] === undefined ? [] : [TYPES[n]]));
    if (typeof raw === "string") return { types: known([raw]), nullable: false };
    if (Array.isArray(raw)) {
      const names = raw.filter((t): t is string => typeof t === "string");
      const real = names.filter((t) => t !== "null");
      return { types: real.length > 0 ? known(real) : ["NULL"], nullable: real.length < names.length };
    }
    if (isObject(schema.properties)) return { types: ["OBJECT"], nullable: false };
    if (isObject(schema.items)) return { types: ["ARRAY"], nullable: false };
    return { types: [], nullable: false };
  }
}

/**
 * Converts one JSON Schema document. `where` names it in error messages
 * (e.g. "tools[0].function.parameters").
 */
export function toGeminiSchema(schema: Record<string, unknown>, where: string): GeminiSchema {
  return new Converter(schema, where).convert(schema, "#");
}
