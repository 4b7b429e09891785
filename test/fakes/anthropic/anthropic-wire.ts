/**
 * A planned message on the wire, as api.anthropic.com sends it: one JSON
 * Message, or the SSE event sequence (message_start, content blocks with
 * their deltas and a ping after the first block starts, message_delta,
 * message_stop), each frame `event: <type>\ndata: <json>\n\n`, field order
 * included.
 */
import type { PlannedBlock, PlannedMessage } from "./anthropic-messages.js";
import { streamPieces } from "../_shared/prompt-text.js";
import { argumentPieces } from "../_shared/tool-calls.js";

function usage(plan: PlannedMessage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: plan.inputTokens,
    cache_creation_input_tokens: plan.cacheCreationTokens,
    cache_read_input_tokens: plan.cacheReadTokens,
    cache_creation: { ephemeral_5m_input_tokens: plan.cacheCreationTokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

export function messageBody(plan: PlannedMessage): Record<string, unknown> {
  return {
    id: plan.id,
    type: "message",
    role: "assistant",
    model: plan.model,
    content: plan.blocks,
    stop_reason: plan.stopReason,
    stop_sequence: plan.stopSequence,
    usage: usage(plan, plan.outputTokens),
  };
}

export function sseEventFrame(event: { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function startBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case "text": return { type: "text", text: "" };
    case "thinking": return { type: "thinking", thinking: "", signature: "" };
    case "tool_use": return { type: "tool_use", id: block.id, name: block.name, input: {} };
  }
}

function blockDeltas(block: PlannedBlock, streamChunks: number | undefined): Record<string, unknown>[] {
  switch (block.type) {
    case "text":
      return streamPieces(block.text, streamChunks).map((text) => ({ type: "text_delta", text }));
    case "thinking":
      return [
        ...streamPieces(block.thinking, streamChunks).map((thinking) => ({ type: "thinking_delta", thinking })),
        { type: "signature_delta", signature: block.signature },
      ];
    case "tool_use":
      // Anthropic opens a tool's input with an empty fragment, then sends the JSON in pieces.
      return ["", ...argumentPieces(JSON.stringify(block.input))].map((partial_json) => ({ type: "input_json_delta", partial_json }));
  }
}

export interface StreamError {
  /** How many events go out before the error event. */
  afterEvents: number;
  type?: string;
  message?: string;
}

export function streamEvents(plan: PlannedMessage, streamChunks: number | undefined): { type: string }[] {
  const events: { type: string }[] = [{
    type: "message_start",
    message: {
      id: plan.id, type: "message", role: "assistant", model: plan.model, content: [],
      stop_reason: null, stop_sequence: null, usage: usage(plan, 1),
    },
  } as { type: string }];
  plan.blocks.forEach((block, index) => {
    events.push({ type: "content_block_start", index, content_block: startBlock(block) } as { type: string });
    if (index === 0) events.push({ type: "ping" });
    for (const delta of blockDeltas(block, streamChunks)) events.push({ type: "content_block_delta", index, delta } as { type: string });
    events.push({ type: "content_block_stop", index } as { type: string });
  });
  events.push({
    type: "message_delta",
    delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence },
    usage: {
      input_tokens: plan.inputTokens,
      cache_creation_input_tokens: plan.cacheCreationTokens,
      cache_read_input_tokens: plan.cacheReadTokens,
      output_tokens: plan.outputTokens,
    },
  } as { type: string });
  events.push({ type: "message_stop" });
  return events;
}

/** The frames of a stream; with `error`, an `error` event replaces everything after `afterEvents` events. */
export function streamFrames(plan: PlannedMessage, streamChunks: number | undefined, error?: StreamError): string[] {
  const events = streamEvents(plan, streamChunks);
  if (error === undefined) return events.map(sseEventFrame);
  const kept = events.slice(0, error.afterEvents).map(sseEventFrame);
  kept.push(sseEventFrame({ type: "error", error: { type: error.type ?? "overloaded_error", message: error.message ?? "Overloaded" } } as { type: string }));
  return kept;
}
