/**
 * POST /embeddings (CreateEmbeddingResponse). `input` may be a string, an
 * array of strings, a token array or an array of token arrays; vectors come
 * from embedding-vector.ts, sized by `dimensions` or the model's default.
 */
import type { EndpointInput } from "./endpoint-handler.js";
import { embeddingFor, toBase64, toFloatList } from "../_shared/embedding-vector.js";
import { openaiErrors } from "./openai-errors.js";
import type { EmbeddingList } from "./openai-wire-types.js";
import { countWords } from "../_shared/prompt-text.js";
import { jsonReply, type Reply } from "../_shared/reply.js";

/** The fixed text fast mode embeds, whatever the input. */
const FAST_INPUT = "fast";

function defaultDimensions(model: string): number {
  return /3-large/.test(model) ? 3072 : 1536;
}

/** Inputs as texts plus their token counts (token arrays count one per id). */
function readInputs(input: unknown): { texts: string[]; tokens: number } | null {
  const isTokens = (value: unknown): value is number[] =>
    Array.isArray(value) && value.length > 0 && value.every((t) => typeof t === "number");
  if (typeof input === "string") return input === "" ? null : { texts: [input], tokens: countWords(input) };
  if (isTokens(input)) return { texts: [input.join(" ")], tokens: input.length };
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((item) => typeof item === "string" && item !== "")) {
    const texts = input as string[];
    return { texts, tokens: texts.reduce((sum, text) => sum + countWords(text), 0) };
  }
  if (input.every(isTokens)) {
    const arrays = input as number[][];
    return { texts: arrays.map((tokens) => tokens.join(" ")), tokens: arrays.reduce((sum, t) => sum + t.length, 0) };
  }
  return null;
}

export function handleEmbeddings(input: EndpointInput): Reply {
  const { body, model } = input;
  if (body.input === undefined) return openaiErrors.missingParam("input");
  const inputs = readInputs(body.input);
  if (inputs === null) {
    return openaiErrors.invalidValue(
      "input",
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      null,
    );
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    return openaiErrors.invalidValue(
      "encoding_format",
      `Invalid value for 'encoding_format': expected one of 'float' or 'base64', got ${JSON.stringify(format)}.`,
    );
  }
  let dimensions = defaultDimensions(model);
  if (body.dimensions !== undefined) {
    if (/ada-002/.test(model)) {
      return openaiErrors.invalidValue("dimensions", "This model does not support specifying dimensions.", null);
    }
    if (typeof body.dimensions !== "number" || !Number.isInteger(body.dimensions) || body.dimensions < 1) {
      return openaiErrors.invalidValue("dimensions", "Invalid 'dimensions': expected a positive integer.");
    }
    dimensions = body.dimensions;
  }

  const list: EmbeddingList = {
    object: "list",
    data: inputs.texts.map((text, index) => {
      const vector = embeddingFor(input.behaviour.fast ? FAST_INPUT : text, dimensions);
      return { object: "embedding", index, embedding: format === "base64" ? toBase64(vector) : toFloatList(vector) };
    }),
    model,
    usage: { prompt_tokens: inputs.tokens, total_tokens: inputs.tokens },
  };
  return jsonReply(200, list);
}
