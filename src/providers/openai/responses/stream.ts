/**
 * Canonical chat chunks → Responses API stream events, in OpenAI's order:
 * response.created, response.in_progress; per output item
 * output_item.added, (content_part.added, output_text.delta …,
 * output_text.done, content_part.done) or (function_call_arguments.delta …,
 * function_call_arguments.done), output_item.done; then response.completed
 * (response.incomplete when the answer was cut by length or a content
 * filter), or response.failed when the upstream fails mid-stream. Every
 * event carries a sequence_number, from 0.
 *
 * Text opens a message item; the first delta of a tool call closes the
 * open item and opens a function_call item, so parallel calls come one
 * after the other, as OpenAI sends them (every upstream the gateway speaks
 * streams them so). Should an upstream go back to an earlier call, its
 * delta is still passed on (clients add it by output_index) and the final
 * Response has the whole arguments. The final Response object
 * (`response`) is what the gateway stores.
 */
import { newId } from "../../../core/ids.js";
import type { ChatChunk, FinishReason, ToolCallDelta, Usage } from "../../../core/types.js";
import { responseUsageOf, settle } from "./response.js";
import type { FunctionCallItem, NumberedEvent, OutputMessageItem, ResponseEvent, ResponseObject } from "./wire-types.js";

interface OpenMessage { index: number; item: OutputMessageItem; part: "text" | "refusal" | null; text: string; refusal: string }
interface OpenCall { index: number; item: FunctionCallItem }

export class CanonicalToResponsesStream {
  #response: ResponseObject;
  #seq = 0;
  #started = false;
  #ended = false;
  #message: OpenMessage | null = null;
  /** Function calls by canonical tool_calls index; the last one is open until the next item or the end. */
  readonly #calls = new Map<number, OpenCall>();
  #openCall: OpenCall | null = null;
  #finish: FinishReason | null = null;
  #usage: Usage | null = null;

  /** `shell`: the Response object with status in_progress and no output (./response.ts responseShell). */
  constructor(shell: ResponseObject) {
    this.#response = { ...shell, output: [] };
  }

  /** The Response as it stands: final after end() or fail(). */
  get response(): ResponseObject {
    return this.#response;
  }

  push(chunk: ChatChunk): NumberedEvent[] {
    const out: NumberedEvent[] = [];
    this.#start(out);
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue; // a Response has one answer; n > 1 is not offered on this endpoint
      const d = choice.delta ?? {};
      if (typeof d.content === "string" && d.content !== "") this.#text("text", d.content, out);
      if (typeof d.refusal === "string" && d.refusal !== "") this.#text("refusal", d.refusal, out);
      for (const call of d.tool_calls ?? []) this.#toolCall(call, out);
      if (choice.finish_reason) this.#finish = choice.finish_reason;
    }
    return out;
  }

  /** Closes every open item and settles the response. Idempotent. */
  end(): NumberedEvent[] {
    if (this.#ended) return [];
    const out: NumberedEvent[] = [];
    this.#start(out);
    this.#ended = true;
    const settled = settle(this.#response, this.#finish, this.#usage);
    this.#closeMessage(out, settled.status === "incomplete" ? "incomplete" : "completed");
    this.#closeCall(out);
    this.#response = { ...settled, output: this.#response.output };
    this.#emit(out, { type: settled.status === "incomplete" ? "response.incomplete" : "response.completed", response: this.#response });
    return out;
  }

  /** The stream broke: one response.failed event, with the output so far. */
  fail(code: string, message: string): NumberedEvent[] {
    if (this.#ended) return [];
    const out: NumberedEvent[] = [];
    this.#start(out);
    this.#ended = true;
    for (const item of this.#response.output) if (item.status === "in_progress") item.status = "incomplete";
    this.#response = { ...this.#response, status: "failed", error: { code, message }, usage: this.#usage ? responseUsageOf(this.#usage) : null };
    this.#emit(out, { type: "response.failed", response: this.#response });
    return out;
  }

  #emit(out: NumberedEvent[], event: ResponseEvent): void {
    out.push({ ...event, sequence_number: this.#seq++ } as NumberedEvent);
  }

  #start(out: NumberedEvent[]): void {
    if (this.#started) return;
    this.#started = true;
    this.#emit(out, { type: "response.created", response: structuredClone(this.#response) });
    this.#emit(out, { type: "response.in_progress", response: structuredClone(this.#response) });
  }

  #text(kind: "text" | "refusal", delta: string, out: NumberedEvent[]): void {
    let m = this.#message;
    if (!m) {
      this.#closeCall(out);
      const item: OutputMessageItem = { id: newId("msg"), type: "message", status: "in_progress", role: "assistant", content: [] };
      m = this.#message = { index: this.#response.output.length, item, part: null, text: "", refusal: "" };
      this.#response.output.push(item);
      this.#emit(out, { type: "response.output_item.added", output_index: m.index, item: structuredClone(item) });
    }
    const base = { item_id: m.item.id, output_index: m.index };
    if (m.part !== kind) {
      this.#closePart(m, out);
      m.part = kind;
      const part = kind === "text" ? { type: "output_text" as const, text: "", annotations: [], logprobs: [] } : { type: "refusal" as const, refusal: "" };
      m.item.content.push(part);
      this.#emit(out, { type: "response.content_part.added", ...base, content_index: m.item.content.length - 1, part: structuredClone(part) });
    }
    const contentIndex = m.item.content.length - 1;
    const part = m.item.content[contentIndex]!;
    if (part.type === "output_text") {
      part.text += delta;
      this.#emit(out, { type: "response.output_text.delta", ...base, content_index: contentIndex, delta, logprobs: [] });
    } else {
      part.refusal += delta;
      this.#emit(out, { type: "response.refusal.delta", ...base, content_index: contentIndex, delta });
    }
  }

  #closePart(m: OpenMessage, out: NumberedEvent[]): void {
    if (m.part === null) return;
    const contentIndex = m.item.content.length - 1;
    const part = m.item.content[contentIndex]!;
    const base = { item_id: m.item.id, output_index: m.index, content_index: contentIndex };
    if (part.type === "output_text") this.#emit(out, { type: "response.output_text.done", ...base, text: part.text, logprobs: [] });
    else this.#emit(out, { type: "response.refusal.done", ...base, refusal: part.refusal });
    this.#emit(out, { type: "response.content_part.done", ...base, part: structuredClone(part) });
    m.part = null;
  }

  #closeMessage(out: NumberedEvent[], status: "completed" | "incomplete"): void {
    const m = this.#message;
    if (!m) return;
    this.#closePart(m, out);
    m.item.status = status;
    this.#emit(out, { type: "response.output_item.done", output_index: m.index, item: structuredClone(m.item) });
    this.#message = null;
  }

  #closeCall(out: NumberedEvent[]): void {
    const call = this.#openCall;
    if (!call) return;
    const { item } = call;
    this.#emit(out, { type: "response.function_call_arguments.done", item_id: item.id, name: item.name, output_index: call.index, arguments: item.arguments });
    item.status = "completed";
    this.#emit(out, { type: "response.output_item.done", output_index: call.index, item: structuredClone(item) });
    this.#openCall = null;
  }

  #toolCall(delta: ToolCallDelta, out: NumberedEvent[]): void {
    let call = this.#calls.get(delta.index);
    if (!call) {
      this.#closeMessage(out, "completed");
      this.#closeCall(out);
      const item: FunctionCallItem = {
        id: newId("fc"), type: "function_call", status: "in_progress",
        call_id: delta.id ?? newId("call"), name: delta.function?.name ?? "", arguments: "",
      };
      call = this.#openCall = { index: this.#response.output.length, item };
      this.#calls.set(delta.index, call);
      this.#response.output.push(item);
      this.#emit(out, { type: "response.output_item.added", output_index: call.index, item: structuredClone(item) });
    } else if (delta.function?.name) {
      call.item.name += delta.function.name; // a name in pieces: the done events carry it whole
    }
    const args = delta.function?.arguments;
    if (args) {
      call.item.arguments += args;
      this.#emit(out, { type: "response.function_call_arguments.delta", item_id: call.item.id, output_index: call.index, delta: args });
    }
  }
}

/** One event as SSE bytes: `event: <type>` and `data: <json>`, as OpenAI frames Responses streams. */
export function responsesSSE(event: NumberedEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
