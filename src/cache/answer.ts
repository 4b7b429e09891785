/**
 * What the cache keeps for one answer, and how it travels as text. One entry
 * serves both request kinds: `response` answers non-stream requests, `chunks`
 * (present when the answer came from a stream) replay the very same stream.
 */
import type { ChatChunk, ChatResponse } from "../core/types.js";
import { newId } from "../core/ids.js";
import { mergeChunks } from "./chunk-merge.js";

export interface CachedAnswer {
  v: 1;
  /** The canonical non-stream form (rebuilt from the chunks for a streamed answer). */
  response: ChatResponse;
  /** The canonical chunks in order, usage chunk included, when the answer came from a stream. */
  chunks?: ChatChunk[];
  /** The configured provider name and the upstream model that produced it (for x-liaison-* headers and the log). */
  provider: string;
  upstreamModel: string;
  /** What the original call cost: what a hit saves. */
  costUsd: number | null;
  /** Epoch milliseconds when it was produced. */
  createdAt: number;
}

export interface AnswerMeta {
  provider: string;
  upstreamModel: string;
  costUsd: number | null;
  createdAt?: number;
}

// Entries are written once and parsed on every hit; a JSON round trip also
// detaches them from objects the engine may still touch (and from rawJson).
function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function answerFromResponse(response: ChatResponse, meta: AnswerMeta): CachedAnswer {
  return {
    v: 1,
    response: detached(response),
    provider: meta.provider,
    upstreamModel: meta.upstreamModel,
    costUsd: meta.costUsd,
    createdAt: meta.createdAt ?? Date.now(),
  };
}

/** From the chunks of a stream that ended cleanly (the caller checks: a finish reason seen, no error). */
export function answerFromChunks(chunks: readonly ChatChunk[], meta: AnswerMeta): CachedAnswer {
  const copy = detached(chunks as ChatChunk[]);
  return {
    v: 1,
    response: mergeChunks(copy),
    chunks: copy,
    provider: meta.provider,
    upstreamModel: meta.upstreamModel,
    costUsd: meta.costUsd,
    createdAt: meta.createdAt ?? Date.now(),
  };
}

/** Every choice finished: an answer cut short must never be replayed as if it were whole. */
export function isComplete(answer: CachedAnswer): boolean {
  return answer.response.choices.length > 0 && answer.response.choices.every((c) => c.finish_reason !== null);
}

export interface Identity {
  /** Defaults to a fresh id: every response keeps a unique id even when its content is replayed. */
  id?: string;
  /** Seconds; defaults to now. */
  created?: number;
}

export function freshIdentity(identity: Identity = {}): { id: string; created: number } {
  return { id: identity.id ?? newId("chatcmpl-cache"), created: identity.created ?? Math.floor(Date.now() / 1000) };
}

/** The answer as a non-stream response, under a new id and creation time. */
export function responseOf(answer: CachedAnswer, identity: Identity = {}): ChatResponse {
  return { ...answer.response, ...freshIdentity(identity) };
}

// Stored chunks drop what every chunk repeats and a replay replaces anyway
// (id, object, created; model when it is the response's): a streamed answer
// has one chunk per few tokens, and these fields were half of each one.
type StoredChunk = Omit<ChatChunk, "id" | "object" | "created" | "model"> & { model?: string };

interface StoredAnswer extends Omit<CachedAnswer, "chunks"> {
  chunks?: StoredChunk[];
}

export function encodeAnswer(answer: CachedAnswer): string {
  const model = answer.response.model;
  const stored: StoredAnswer = {
    ...answer,
    chunks: answer.chunks?.map(({ id: _id, object: _object, created: _created, model: m, ...rest }) =>
      (m === model ? rest : { ...rest, model: m })),
  };
  return JSON.stringify(stored);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Undefined for anything that is not a whole entry of this version: a corrupt entry is a miss, never a crash. */
export function decodeAnswer(text: string): CachedAnswer | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || raw.v !== 1 || typeof raw.createdAt !== "number" || typeof raw.provider !== "string" || typeof raw.upstreamModel !== "string") return undefined;
  if (!(raw.costUsd === null || typeof raw.costUsd === "number")) return undefined;
  const response = raw.response;
  if (!isObject(response) || typeof response.id !== "string" || typeof response.model !== "string" || typeof response.created !== "number") return undefined;
  if (!Array.isArray(response.choices) || !response.choices.every((c) => isObject(c) && typeof c.index === "number" && isObject(c.message))) return undefined;
  const answer = raw as unknown as StoredAnswer;
  if (raw.chunks === undefined) return answer as CachedAnswer;
  if (!Array.isArray(raw.chunks) || !raw.chunks.every((c) => isObject(c) && (c.choices === undefined || Array.isArray(c.choices)))) return undefined;
  const base = { id: answer.response.id, object: "chat.completion.chunk" as const, created: answer.response.created, model: answer.response.model };
  return { ...answer, chunks: answer.chunks!.map((c) => ({ ...base, ...c, choices: (c.choices as ChatChunk["choices"] | undefined) ?? [] })) };
}
