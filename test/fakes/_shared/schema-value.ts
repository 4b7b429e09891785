/**
 * A small JSON value that validates against a JSON schema: what a fake
 * answers when a request asks for structured output (OpenAI
 * `response_format.json_schema`, Anthropic `output_config.format`, Gemini
 * `responseSchema`, Ollama `format`) and what it puts in tool arguments.
 *
 * Minimal means: an object has its required properties only (and enough
 * others for minProperties), an array has minItems items, a number is 1
 * moved into its bounds. Read: type (a list → its first non-null type;
 * Gemini's upper-case names too), const, enum (its first value),
 * anyOf/oneOf (the first branch), allOf (merged), local $ref (`#`,
 * `#/$defs/…`, `#/definitions/…`, any JSON pointer into the root),
 * properties, required, additionalProperties, minProperties, items,
 * prefixItems (and draft-07's array form of items), minItems, maxItems,
 * string format (date-time, date, time, email, uri, uuid, hostname, ipv4,
 * ipv6, duration), minLength, maxLength, minimum, maximum, exclusive bounds
 * (draft 4's booleans too), multipleOf. Not read: pattern (strings are
 * plain text), not, if/then/else, contains, uniqueItems (minimal items may
 * repeat). A recursive schema stops at a depth limit with null.
 *
 * Written here rather than taken from a library: the fakes want the smallest
 * predictable value, not random data (json-schema-faker and the like).
 */

type Json = Record<string, unknown>;

export interface SchemaValueOptions {
  /** Text for a plain string, given the name of the property that holds it (undefined at the top or in an array). */
  text?: (property: string | undefined) => string;
}

const MAX_DEPTH = 32;

const FORMATS: Readonly<Record<string, string>> = {
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  email: "fake@example.com",
  "idn-email": "fake@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  "uri-reference": "https://example.com/",
  iri: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  duration: "P1D",
};

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The type a schema describes: declared (lower-cased), or read off the keywords it uses. */
function typeOf(schema: Json): string {
  const declared = schema.type;
  if (typeof declared === "string") return declared.toLowerCase();
  if (Array.isArray(declared)) {
    const names = declared.filter((t): t is string => typeof t === "string").map((t) => t.toLowerCase());
    return names.find((t) => t !== "null") ?? names[0] ?? "string";
  }
  if ("properties" in schema || "required" in schema || "additionalProperties" in schema) return "object";
  if ("items" in schema || "prefixItems" in schema || "minItems" in schema) return "array";
  if ("minimum" in schema || "maximum" in schema || "multipleOf" in schema) return "number";
  return "string";
}

/** allOf's branches folded into one schema: properties and required lists joined, other keywords last-wins. */
function merged(base: Json, branches: Json[]): Json {
  const out: Json = { ...base };
  delete out.allOf;
  const properties: Json = isRecord(base.properties) ? { ...base.properties } : {};
  const required = new Set(Array.isArray(base.required) ? base.required : []);
  for (const b of branches) {
    Object.assign(out, b);
    if (isRecord(b.properties)) Object.assign(properties, b.properties);
    if (Array.isArray(b.required)) for (const r of b.required) required.add(r);
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.size > 0) out.required = [...required];
  return out;
}

class Generator {
  readonly #root: unknown;
  readonly #text: (property: string | undefined) => string;

  constructor(root: unknown, options: SchemaValueOptions) {
    this.#root = root;
    this.#text = options.text ?? (() => "fake");
  }

  value(schema: unknown, property: string | undefined, depth: number): unknown {
    if (depth > MAX_DEPTH) return null;
    if (!isRecord(schema)) return schema === false ? null : this.#text(property); // `true` or nothing: anything goes
    if (typeof schema.$ref === "string") return this.value(this.#resolve(schema.$ref), property, depth + 1);
    if ("const" in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
    const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
    if (branches && branches.length > 0) return this.value(branches[0], property, depth + 1);
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      const parts = schema.allOf.map((b) => (isRecord(b) && typeof b.$ref === "string" ? this.#resolve(b.$ref) : b)).filter(isRecord);
      return this.value(merged(schema, parts), property, depth + 1);
    }
    switch (typeOf(schema)) {
      case "object": return this.#object(schema, depth);
      case "array": return this.#array(schema, depth);
      case "integer": return this.#number(schema, true);
      case "number": return this.#number(schema, false);
      case "boolean": return true;
      case "null": return null;
      default: return this.#string(schema, property);
    }
  }

  #resolve(ref: string): unknown {
    if (ref === "#") return this.#root;
    if (!ref.startsWith("#/")) return true; // a remote schema: the fake cannot fetch it, so anything goes
    let at: unknown = this.#root;
    for (const raw of ref.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      at = isRecord(at) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined;
    }
    return at;
  }

  #object(schema: Json, depth: number): Json {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const extra = schema.additionalProperties;
    const out: Json = {};
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof name !== "string") continue;
      out[name] = this.value(Object.hasOwn(properties, name) ? properties[name] : isRecord(extra) ? extra : true, name, depth + 1);
    }
    const atLeast = num(schema.minProperties) ?? 0;
    for (const name of Object.keys(properties)) {
      if (Object.keys(out).length >= atLeast) break;
      if (!Object.hasOwn(out, name)) out[name] = this.value(properties[name], name, depth + 1);
    }
    return out;
  }

  #array(schema: Json, depth: number): unknown[] {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const rest = Array.isArray(schema.items) ? schema.additionalItems ?? true : schema.items ?? true;
    const count = Math.max(0, Math.floor(num(schema.minItems) ?? 0));
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push(this.value(i < prefix.length ? prefix[i] : rest, undefined, depth + 1));
    return out;
  }

  #number(schema: Json, integer: boolean): number {
    // Draft 4 says exclusiveMinimum: true beside minimum; later drafts give the bound itself.
    const exMin = schema.exclusiveMinimum === true ? num(schema.minimum) : num(schema.exclusiveMinimum);
    const exMax = schema.exclusiveMaximum === true ? num(schema.maximum) : num(schema.exclusiveMaximum);
    const min = schema.exclusiveMinimum === true ? undefined : num(schema.minimum);
    const max = schema.exclusiveMaximum === true ? undefined : num(schema.maximum);
    const fits = (v: number) => (min === undefined || v >= min) && (exMin === undefined || v > exMin) && (max === undefined || v <= max) && (exMax === undefined || v < exMax);
    const lower = Math.max(min ?? -Infinity, exMin ?? -Infinity);
    const upper = Math.min(max ?? Infinity, exMax ?? Infinity);
    let v = Math.min(Math.max(1, lower), upper); // 1, moved into the bounds
    const step = num(schema.multipleOf) ?? (integer ? 1 : undefined);
    if (step) {
      v = Math.ceil(v / step) * step;
      if (!fits(v)) v += step; // the bound itself was exclusive
      if (!fits(v)) v = Math.floor(upper / step) * step;
      if (!fits(v)) v -= step;
    } else if (!fits(v)) {
      v = Number.isFinite(lower) && Number.isFinite(upper) ? (lower + upper) / 2 : Number.isFinite(lower) ? lower + 1 : upper - 1;
    }
    return v;
  }

  #string(schema: Json, property: string | undefined): string {
    const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
    let text = format ?? this.#text(property);
    const minLength = num(schema.minLength);
    const maxLength = num(schema.maxLength);
    if (minLength !== undefined && text.length < minLength) text = text.padEnd(minLength, "x");
    if (maxLength !== undefined && [...text].length > maxLength) text = [...text].slice(0, maxLength).join("");
    return text;
  }
}

/** A minimal value that validates against `schema` (see the top of this file for what is read). */
export function schemaValue(schema: unknown, options: SchemaValueOptions = {}): unknown {
  return new Generator(schema, options).value(schema, undefined, 0);
}

/**
 * The text of a structured answer: JSON fitting `schema`, or (no schema:
 * JSON mode) an object echoing the prompt, as every fake answers JSON mode.
 */
export function structuredText(schema: unknown, echo: string): string {
  return JSON.stringify(schema === undefined ? { echo } : schemaValue(schema));
}
