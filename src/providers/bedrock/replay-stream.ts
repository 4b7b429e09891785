/**
 * A complete chat response replayed as stream chunks. Used when a model
 * family cannot stream tool use (Meta Llama and Mistral reject toolConfig on
 * ConverseStream): the request goes to Converse and the answer is sent to the
 * client as one burst of chunks in the same shape as a real stream.
 */
import type { ChatChunk, ChatResponse, ChunkChoice } from "../../core/types.js";

export function responseAsChunks(response: ChatResponse, includeUsage: boolean): ChatChunk[] {
  const base = { id: response.id, object: "chat.completion.chunk" as const, created: response.created, model: response.model };
  const chunk = (delta: ChunkChoice["delta"], finish: ChunkChoice["finish_reason"] = null): ChatChunk => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const choice = response.choices[0];
  const out: ChatChunk[] = [chunk({ role: "assistant", content: "" })];
  if (choice !== undefined) {
    const { message } = choice;
    if (typeof message.reasoning_content === "string" && message.reasoning_content !== "") {
      out.push(chunk({ reasoning_content: message.reasoning_content }));
    }
    if (typeof message.content === "string" && message.content !== "") out.push(chunk({ content: message.content }));
    (message.tool_calls ?? []).forEach((call, index) => {
      out.push(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] }));
      if (call.function.arguments !== "") out.push(chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] }));
    });
    out.push(chunk({}, choice.finish_reason ?? "stop"));
  }
  if (includeUsage && response.usage) out.push({ ...base, choices: [], usage: response.usage });
  return out;
}
