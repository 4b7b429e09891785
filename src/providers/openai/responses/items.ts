/**
 * Input items of a Responses request ↔ canonical chat messages.
 *
 * inputItems() checks each item and gives it an id (the client's, or a new
 * one), in the form `GET /v1/responses/{id}/input_items` lists it: a string
 * input becomes one user message, string content becomes an input_text (or,
 * for the assistant, output_text) part. `item_reference` items stay
 * references until the caller has looked them up (resolveReferences).
 *
 * toMessages() turns a conversation's items (earlier turns, then this
 * request's input) into canonical messages: function_call items become the
 * assistant's tool_calls (consecutive ones in one message, as parallel
 * calls), function_call_output items tool messages, images and files in a
 * tool output follow as user content (chat tool messages hold text only).
 * Reasoning items are kept but not sent: their content is OpenAI's own
 * (encrypted) and means nothing to another model.
 */
import { z } from "zod";
import { GatewayError } from "../../../core/errors.js";
import { newId } from "../../../core/ids.js";
import type { ChatMessage, ContentPart } from "../../../core/types.js";
import { invalid } from "./request.js";
import type { StoredItem } from "./wire-types.js";

const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string({ error: "input_image needs image_url (an https or data: URL); file_id refers to OpenAI's file storage, which this gateway cannot read" }),
  detail: z.string().nullish(),
});
const inputFile = z.looseObject({
  type: z.literal("input_file"),
  file_data: z.string({ error: "input_file needs file_data (a data: URL); file_id and file_url are not supported by this gateway" }),
  filename: z.string().nullish(),
});
const part = z.discriminatedUnion("type", [inputText, outputText, refusal, inputImage, inputFile], {
  error: "content part type must be one of input_text, input_image, input_file, output_text, refusal",
});
type Part = z.infer<typeof part>;

const message = z.looseObject({
  type: z.literal("message").optional(),
  id: z.string().nullish(),
  role: z.enum(["user", "assistant", "system", "developer"], { error: "role must be one of user, assistant, system, developer" }),
  content: z.union([z.string(), z.array(part)], { error: "content must be a string or an array of content parts" }),
});
const functionCall = z.looseObject({
  type: z.literal("function_call"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string({ error: "arguments must be a JSON string" }),
});
const functionCallOutput = z.looseObject({
  type: z.literal("function_call_output"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(part)], { error: "output must be a string or an array of content parts" }),
});
const reference = z.looseObject({ type: z.literal("item_reference").nullish(), id: z.string().regex(/^[\x21-\x7e]{1,256}$/, "an item id is 1 to 256 printable ASCII characters") });
const reasoning = z.looseObject({ type: z.literal("reasoning"), id: z.string().nullish() });

/** An input item checked and given an id, or a reference still to look up. */
export type InputEntry = { item: StoredItem } | { ref: string };

const ID_PREFIX: Record<string, string> = { message: "msg", function_call: "fc", function_call_output: "fco", reasoning: "rs" };

/** Ids become keys in the store and in later requests: printable text only. */
const PRINTABLE_ID = /^[\x21-\x7e]{1,256}$/;

/** The item with its id and type first (as OpenAI lists items); a missing id is made. */
function withId(item: Record<string, unknown>, type: string, i: number): StoredItem {
  const { id: given, type: _type, ...rest } = item;
  if (typeof given === "string" && given !== "" && !PRINTABLE_ID.test(given)) {
    throw new GatewayError("invalid_request", `input.${i}.id: an item id must be 1 to 256 printable ASCII characters`, { param: `input.${i}.id` });
  }
  const id = typeof given === "string" && given !== "" ? given : newId(ID_PREFIX[type] ?? "item");
  return { id, type, ...rest };
}

function check<T extends z.ZodType>(schema: T, raw: unknown, path: (string | number)[]): z.infer<T> {
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid(r.error, path);
  return r.data;
}

function entryOf(raw: unknown, i: number): InputEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new GatewayError("invalid_request", `input.${i}: an input item must be an object`, { param: `input.${i}` });
  }
  const item = raw as Record<string, unknown>;
  const type = item.type;
  if (type === "item_reference" || ((type === undefined || type === null) && item.role === undefined && typeof item.id === "string")) {
    return { ref: check(reference, item, ["input", i]).id };
  }
  if (type === undefined || type === "message") {
    const m = check(message, item, ["input", i]);
    // String content is stored as the part OpenAI lists it as.
    const content = typeof m.content === "string"
      ? [m.role === "assistant" ? { type: "output_text", text: m.content, annotations: [] } : { type: "input_text", text: m.content }]
      : m.content;
    return { item: withId({ ...m, content }, "message", i) };
  }
  if (type === "function_call") return { item: withId(check(functionCall, item, ["input", i]), "function_call", i) };
  if (type === "function_call_output") return { item: withId(check(functionCallOutput, item, ["input", i]), "function_call_output", i) };
  if (type === "reasoning") return { item: withId(check(reasoning, item, ["input", i]), "reasoning", i) };
  const what = typeof type === "string" ? `'${type}' items are not supported by this gateway` : "an input item's type must be a string";
  throw new GatewayError("invalid_request", `input.${i}.type: ${what} (it takes message, function_call, function_call_output, item_reference and reasoning items)`, { param: `input.${i}.type` });
}

export function inputEntries(input: string | unknown[]): InputEntry[] {
  if (typeof input === "string") return [{ item: withId({ role: "user", content: [{ type: "input_text", text: input }] }, "message", 0) }];
  return input.map(entryOf);
}

export function referencedIds(entries: readonly InputEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => ("ref" in e ? [e.ref] : [])))];
}

/** References replaced by the items they name; an id not found is a 404, as OpenAI answers it. */
export function resolveReferences(entries: readonly InputEntry[], found: ReadonlyMap<string, StoredItem>): StoredItem[] {
  return entries.map((e, i) => {
    if ("item" in e) return e.item;
    const item = found.get(e.ref);
    if (!item) throw new GatewayError("invalid_request", `Item with id '${e.ref}' not found.`, { status: 404, param: `input.${i}`, clientCode: "item_not_found" });
    return item;
  });
}

function canonicalPart(p: Part): ContentPart {
  switch (p.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: p.text };
    case "refusal":
      return { type: "text", text: p.refusal };
    case "input_image": {
      const detail = p.detail === "low" || p.detail === "high" || p.detail === "auto" ? p.detail : undefined;
      return { type: "image_url", image_url: { url: p.image_url, ...(detail ? { detail } : {}) } };
    }
    case "input_file":
      return { type: "file", file: { file_data: p.file_data, ...(p.filename ? { filename: p.filename } : {}) } };
  }
}

/** A lone text part reads better (and costs less) as a string. */
function compact(parts: ContentPart[]): string | ContentPart[] {
  const only = parts[0];
  return parts.length === 1 && only?.type === "text" ? only.text : parts;
}

function textOf(parts: ContentPart[]): string {
  return parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** Stored items hold what the checks above let through; they are read back through the same schemas. */
function partsOf(content: unknown): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return z.array(part).parse(content).map(canonicalPart);
}

export function toMessages(items: readonly StoredItem[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  // Images and files from tool outputs, sent as user content once the run of tool messages ends.
  let pending: ContentPart[] = [];
  const flush = () => {
    if (pending.length > 0) out.push({ role: "user", content: pending });
    pending = [];
  };
  for (const item of items) {
    if (item.type !== "function_call_output") flush();
    switch (item.type) {
      case "message": {
        const role = item.role as ChatMessage["role"];
        const parts = partsOf(item.content);
        out.push(role === "assistant" ? { role, content: textOf(parts) } : { role, content: compact(parts) });
        break;
      }
      case "function_call": {
        const call = { id: String(item.call_id), type: "function" as const, function: { name: String(item.name), arguments: String(item.arguments) } };
        const last = out[out.length - 1];
        if (last?.role === "assistant") (last.tool_calls ??= []).push(call);
        else out.push({ role: "assistant", content: null, tool_calls: [call] });
        break;
      }
      case "function_call_output": {
        const parts = partsOf(item.output);
        pending.push(...parts.filter((p) => p.type !== "text"));
        out.push({ role: "tool", tool_call_id: String(item.call_id), content: textOf(parts) });
        break;
      }
      default:
        break; // reasoning: see above
    }
  }
  flush();
  // An assistant turn that only called tools has no text: null content, as OpenAI sends it.
  for (const m of out) if (m.role === "assistant" && m.tool_calls && m.content === "") m.content = null;
  return out;
}
