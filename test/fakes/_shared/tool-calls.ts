/**
 * When the fake answers with tool calls instead of text, and with which
 * arguments. The rule is simple enough to use from a test: the request has
 * function tools, the conversation ends with a user message, and that message
 * mentions "weather" (or tool_choice forces a call). "weather in Paris and
 * Tokyo" gives two parallel calls.
 */
import type { IdSource } from "./fake-ids.js";
import type { ChatMessageView } from "./prompt-text.js";
import { schemaValue } from "./schema-value.js";

export interface PlannedToolCall {
  id: string;
  name: string;
  /** JSON text, as the model would generate it. */
  arguments: string;
}

interface FunctionTool {
  name: string;
  parameters: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function functionTools(tools: unknown): FunctionTool[] {
  if (!Array.isArray(tools)) return [];
  const out: FunctionTool[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || tool.type !== "function" || !isRecord(tool.function)) continue;
    const { name, parameters } = tool.function;
    if (typeof name === "string") out.push({ name, parameters });
  }
  return out;
}

/** The tool the model "decides" to call, honouring tool_choice. */
function chosenTool(tools: FunctionTool[], toolChoice: unknown, text: string): FunctionTool | undefined {
  if (toolChoice === "none") return undefined;
  if (isRecord(toolChoice) && isRecord(toolChoice.function)) {
    const wanted = toolChoice.function.name;
    return tools.find((tool) => tool.name === wanted);
  }
  return toolChoice === "required" || /\bweather\b/i.test(text) ? tools[0] : undefined;
}

function locationsIn(text: string): string[] {
  const match = /\bweather\b.*?\b(?:in|for|at)\s+([^?!.]+)/i.exec(text);
  const found = (match?.[1] ?? "")
    .split(/\s+and\s+/i)
    .map((place) => place.trim())
    .filter((place) => place !== "");
  return found.length > 0 ? found : ["San Francisco"];
}

const LOCATION_LIKE = /loc|city|place|where|region|country/i;

/**
 * Plausible arguments for a JSON-schema `parameters` object: every top-level
 * property (required or not), each a value that fits its schema
 * (schema-value.ts), with the location in location-like string fields.
 */
function argumentsFor(parameters: unknown, location: string): Record<string, unknown> {
  if (!isRecord(parameters) || !isRecord(parameters.properties) || Object.keys(parameters.properties).length === 0) return { location };
  const text = (name: string | undefined) => (name !== undefined && LOCATION_LIKE.test(name) ? location : "fake");
  return schemaValue({ ...parameters, required: Object.keys(parameters.properties) }, { text }) as Record<string, unknown>;
}

export function planToolCalls(
  body: Record<string, unknown>,
  messages: readonly ChatMessageView[],
  ids: IdSource,
): PlannedToolCall[] {
  const tools = functionTools(body.tools);
  const last = messages[messages.length - 1];
  if (tools.length === 0 || last?.role !== "user") return [];
  const tool = chosenTool(tools, body.tool_choice, last.text);
  if (tool === undefined) return [];
  const locations = locationsIn(last.text);
  const used = body.parallel_tool_calls === false ? locations.slice(0, 1) : locations;
  return used.map((location) => ({
    id: ids.toolCall(),
    name: tool.name,
    arguments: JSON.stringify(argumentsFor(tool.parameters, location)),
  }));
}

/**
 * Cuts argument JSON the way OpenAI streams it: runs of word characters,
 * whitespace and punctuation arrive as separate deltas (`{"`, `location`,
 * `":"`, `Paris`, …), so a client must concatenate before parsing.
 */
export function argumentPieces(args: string): string[] {
  return args.match(/[A-Za-z0-9_]+|\s+|[^A-Za-z0-9_\s]+/g) ?? [args];
}

/** Deterministic "tokens" for a tool call: the words of its name and argument pieces. */
export function toolCallTokens(calls: readonly PlannedToolCall[]): number {
  return calls.reduce((sum, call) => sum + 1 + argumentPieces(call.arguments).length, 0);
}
