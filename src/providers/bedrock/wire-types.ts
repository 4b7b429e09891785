/**
 * The Converse wire format, deliberately partial: request types cover what we
 * send; response and stream-event schemas cover only the fields we read
 * (zod objects drop the rest). Field names follow the AWS API reference
 * (and the SDK's models_0.d.ts: ConverseRequest, ConverseResponse,
 * ConverseStreamOutput).
 */
import { z } from "zod";

// ---- request (what we build) -------------------------------------------------

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

export type ToolResultContent = { text: string } | { json: unknown };

export type WireContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ToolResultContent[] } };

export interface WireMessage {
  role: "user" | "assistant";
  content: WireContentBlock[];
}

export interface WireToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type WireToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseRequestBody {
  messages: WireMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: WireToolSpec[]; toolChoice?: WireToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
  outputConfig?: Record<string, unknown>;
  /** Bedrock-native fields a client may send as extras (guardrailConfig, performanceConfig, …), passed through. */
  [native: string]: unknown;
}

// ---- response and stream events (what we read) -------------------------------

export const tokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  totalTokens: z.number().int().nonnegative().optional(),
  cacheReadInputTokens: z.number().int().nonnegative().optional(),
  cacheWriteInputTokens: z.number().int().nonnegative().optional(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

const responseBlockSchema = z.object({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
  reasoningContent: z
    .object({ reasoningText: z.object({ text: z.string().optional(), signature: z.string().optional() }).optional() })
    .optional(),
});

export const converseResponseSchema = z.object({
  output: z.object({
    message: z.object({ role: z.string().optional(), content: z.array(responseBlockSchema) }),
  }),
  stopReason: z.string(),
  usage: tokenUsageSchema.optional(),
});

/** Stream payloads, one schema per `:event-type`. */
export const streamEventSchemas = {
  messageStart: z.object({ role: z.string().optional() }),
  contentBlockStart: z.object({
    contentBlockIndex: z.number().int().nonnegative(),
    start: z.object({ toolUse: z.object({ toolUseId: z.string(), name: z.string() }).optional() }).optional(),
  }),
  contentBlockDelta: z.object({
    contentBlockIndex: z.number().int().nonnegative(),
    delta: z.object({
      text: z.string().optional(),
      toolUse: z.object({ input: z.string() }).optional(),
      reasoningContent: z.object({ text: z.string().optional(), signature: z.string().optional() }).optional(),
    }),
  }),
  contentBlockStop: z.object({ contentBlockIndex: z.number().int().nonnegative() }),
  messageStop: z.object({ stopReason: z.string() }),
  metadata: z.object({ usage: tokenUsageSchema.optional() }),
} as const;

export type StreamEventType = keyof typeof streamEventSchemas;
export type StreamEvent = { [K in StreamEventType]: { type: K; payload: z.infer<(typeof streamEventSchemas)[K]> } }[StreamEventType];

