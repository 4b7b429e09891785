/**
 * The Generative Language API's JSON, deliberately partial: only the fields
 * the gateway writes or reads are typed (proto3 JSON mapping of
 * generative_service.proto / content.proto / safety.proto, v1beta: field
 * names in lowerCamelCase, enums as their names).
 */

export interface GeminiBlob { mimeType: string; data: string }
export interface GeminiFileData { mimeType?: string; fileUri: string }
export interface GeminiFunctionCall { id?: string; name: string; args?: Record<string, unknown> }
export interface GeminiFunctionResponse { id?: string; name: string; response: Record<string, unknown> }

/** Part: one of the `data` oneof, plus the thought flags. */
export interface GeminiPart {
  text?: string;
  inlineData?: GeminiBlob;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  thought?: boolean;
  /** bytes in proto, base64 in JSON. */
  thoughtSignature?: string;
}

export interface GeminiContent { role?: "user" | "model"; parts: GeminiPart[] }

/** Schema (content.proto): a subset of OpenAPI 3.0's schema object. */
export interface GeminiSchema {
  type?: "STRING" | "NUMBER" | "INTEGER" | "BOOLEAN" | "ARRAY" | "OBJECT" | "NULL";
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  maxItems?: number;
  minItems?: number;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  minProperties?: number;
  maxProperties?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  example?: unknown;
  anyOf?: GeminiSchema[];
  propertyOrdering?: string[];
  default?: unknown;
}

export interface GeminiFunctionDeclaration { name: string; description?: string; parameters?: GeminiSchema }
export interface GeminiTool { functionDeclarations: GeminiFunctionDeclaration[] }
export interface GeminiToolConfig {
  functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] };
}
export interface GeminiSafetySetting { category: string; threshold: string }

export interface GeminiGenerationConfig {
  candidateCount?: number;
  stopSequences?: string[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseLogprobs?: boolean;
  logprobs?: number;
  thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number };
}

export interface GenerateContentRequest {
  systemInstruction?: GeminiContent;
  contents: GeminiContent[];
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  safetySettings?: GeminiSafetySetting[];
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiSafetyRating { category?: string; probability?: string; blocked?: boolean }

export interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  safetyRatings?: GeminiSafetyRating[];
  logprobsResult?: GeminiLogprobsResult;
}

export interface GeminiLogprobCandidate { token?: string; logProbability?: number }
export interface GeminiLogprobsResult {
  topCandidates?: { candidates?: GeminiLogprobCandidate[] }[];
  chosenCandidates?: GeminiLogprobCandidate[];
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiPromptFeedback { blockReason?: string; safetyRatings?: GeminiSafetyRating[] }

export interface GenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: GeminiPromptFeedback;
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface BatchEmbedContentsRequest {
  requests: { model: string; content: GeminiContent; outputDimensionality?: number }[];
}
export interface BatchEmbedContentsResponse { embeddings?: { values?: number[] }[] }

/** google.rpc.Status as the REST surface wraps it: `{"error": {...}}`. */
export interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: GoogleErrorDetail[] };
}
export interface GoogleErrorDetail {
  "@type"?: string;
  reason?: string;
  retryDelay?: string;
  [field: string]: unknown;
}
