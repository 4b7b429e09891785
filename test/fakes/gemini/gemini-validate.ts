/**
 * The checks Google runs before generating, so an adapter bug shows up as
 * the same 400 it would get from Google: unknown JSON fields (proto3 JSON is
 * strict), bad roles, empty contents, OBJECT schemas without properties, and
 * Gemini 3's missing thought signatures. Returns the error message, or
 * undefined when the request is acceptable.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Field names in both JSON spellings proto3 accepts (lowerCamelCase and the proto name). */
function names(...camel: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of camel) {
    out.add(name);
    out.add(name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  }
  return out;
}

const REQUEST_V1BETA = names("model", "contents", "systemInstruction", "tools", "toolConfig", "safetySettings", "generationConfig", "cachedContent");
const REQUEST_V1 = names("model", "contents", "safetySettings", "generationConfig");
const GENERATION_V1BETA = names(
  "candidateCount", "stopSequences", "maxOutputTokens", "temperature", "topP", "topK", "seed", "responseMimeType",
  "responseSchema", "responseJsonSchema", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs",
  "enableEnhancedCivicAnswers", "responseModalities", "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution",
);
const GENERATION_V1 = names(
  "candidateCount", "stopSequences", "maxOutputTokens", "temperature", "topP", "topK", "seed", "responseJsonSchema",
  "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers",
);
const PART_DATA = names("text", "inlineData", "functionCall", "functionResponse", "fileData", "executableCode", "codeExecutionResult");
const PART_OTHER = names("videoMetadata", "thought", "thoughtSignature", "partMetadata");
const SCHEMA = names(
  "type", "format", "title", "description", "nullable", "enum", "items", "maxItems", "minItems", "properties", "required",
  "minProperties", "maxProperties", "minimum", "maximum", "minLength", "maxLength", "pattern", "example", "anyOf",
  "propertyOrdering", "default",
);
const TYPES = new Set(["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"]);

class Invalid extends Error {}

function unknownField(name: string, at: string): never {
  throw new Invalid(`Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`);
}

function checkKeys(value: Json, allowed: Set<string>, at: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) unknownField(key, at);
}

function checkSchema(schema: unknown, at: string, root: boolean): void {
  if (!isObject(schema)) return;
  checkKeys(schema, SCHEMA, at);
  const type = typeof schema.type === "string" ? schema.type.toUpperCase() : undefined;
  if (schema.type !== undefined && (type === undefined || !TYPES.has(type))) {
    throw new Invalid(`Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(schema.type)}`);
  }
  if (root && type === "OBJECT" && (!isObject(schema.properties) || Object.keys(schema.properties).length === 0)) {
    throw new Invalid(`* GenerateContentRequest.${at}.properties: should be non-empty for OBJECT type\n`);
  }
  if (isObject(schema.properties)) for (const [k, v] of Object.entries(schema.properties)) checkSchema(v, `${at}.properties[${k}].value`, false);
  checkSchema(schema.items, `${at}.items`, false);
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => checkSchema(s, `${at}.any_of[${i}]`, false));
}

function checkParts(parts: unknown, at: string): void {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new Invalid(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.\n`);
  }
  parts.forEach((part, i) => {
    const where = `${at}.parts[${i}]`;
    if (!isObject(part)) throw new Invalid(`Invalid value at '${where}', expected an object`);
    for (const key of Object.keys(part)) if (!PART_DATA.has(key) && !PART_OTHER.has(key)) unknownField(key, where);
    // An empty text counts as unset, as Google treats it.
    const data = Object.keys(part).filter((k) => PART_DATA.has(k) && part[k] !== "");
    if (data.length !== 1) throw new Invalid(`* GenerateContentRequest.${where}.data: required oneof field 'data' must have one initialized field\n`);
  });
}

/** Gemini 3: the first functionCall part of every model turn must carry its thought signature. */
function checkSignatures(contents: Json[]): void {
  contents.forEach((content, i) => {
    if (content.role !== "model" || !Array.isArray(content.parts)) return;
    const calls = content.parts.filter((p): p is Json => isObject(p) && isObject(p.functionCall));
    const first = calls[0];
    if (first === undefined || typeof first.thoughtSignature === "string") return;
    const name = (first.functionCall as Json).name;
    throw new Invalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String(name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`);
  });
}

export function validateGenerateRequest(body: Json, version: string, model: string): string | undefined {
  try {
    const v1 = version === "v1";
    checkKeys(body, v1 ? REQUEST_V1 : REQUEST_V1BETA, "");
    const contents = body.contents;
    if (!Array.isArray(contents) || contents.length === 0) throw new Invalid("* GenerateContentRequest.contents: contents is not specified\n");
    contents.forEach((content, i) => {
      if (!isObject(content)) throw new Invalid(`Invalid value at 'contents[${i}]', expected an object`);
      checkKeys(content, names("parts", "role"), `contents[${i}]`);
      if (content.role !== undefined && content.role !== "user" && content.role !== "model") throw new Invalid("Please use a valid role: user, model.");
      checkParts(content.parts, `contents[${i}]`);
    });
    const system = body.systemInstruction ?? body.system_instruction;
    if (isObject(system)) checkParts(system.parts, "system_instruction");
    if (isObject(body.generationConfig)) {
      checkKeys(body.generationConfig, v1 ? GENERATION_V1 : GENERATION_V1BETA, "generation_config");
      checkSchema(body.generationConfig.responseSchema, "generation_config.response_schema", false);
    }
    if (Array.isArray(body.tools)) {
      body.tools.forEach((tool, i) => {
        const declarations = isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
        declarations.forEach((d, j) => {
          if (!isObject(d)) return;
          checkKeys(d, names("name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"), `tools[${i}].function_declarations[${j}]`);
          checkSchema(d.parameters, `tools[${i}].function_declarations[${j}].parameters`, true);
        });
      });
    }
    if (/^gemini-([3-9]|\d\d)/.test(model)) checkSignatures(contents as Json[]);
    return undefined;
  } catch (error) {
    if (error instanceof Invalid) return error.message;
    throw error;
  }
}
