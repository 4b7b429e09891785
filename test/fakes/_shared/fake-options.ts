/**
 * Options shared by every OpenAI-wire fake, and the resolved behaviour the
 * endpoint handlers read (defaults applied once, here).
 */

export interface FakeOptions {
  /** When set, requests must authenticate with this key (401 otherwise). */
  apiKey?: string;
  /** Fixed assistant text; by default the reply is "echo: " + the last user message. */
  reply?: string;
  /** How many content pieces a streamed reply is cut into; by default one per word. */
  streamChunks?: number;
  /** Pause between stream events. */
  chunkDelayMs?: number;
  /** Model ids the fake serves (others get 404 model_not_found); see DEFAULT_MODELS. */
  models?: string[];
  /**
   * Benchmark mode: replies ignore the prompt (fixed text, no tool calls) and
   * are serialized once per distinct request shape, then sent as cached bytes.
   * Also turns recording off unless `record` says otherwise.
   */
  fast?: boolean;
  /** Keep every request in FakeServer.requests (default: true, false in fast mode). */
  record?: boolean;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

export const DEFAULT_MODELS: readonly string[] = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-3.5-turbo",
  "gpt-3.5-turbo-instruct",
  "o3-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "text-embedding-ada-002",
];

/** The reply used in fast mode when no `reply` is given. */
export const FAST_REPLY = "Hello! This is a canned reply from the fake upstream.";

export interface FakeBehaviour {
  reply: string | undefined;
  streamChunks: number | undefined;
  chunkDelayMs: number;
  fast: boolean;
  record: boolean;
  port: number;
}

export function resolveBehaviour(options: FakeOptions): FakeBehaviour {
  const fast = options.fast ?? false;
  return {
    reply: options.reply ?? (fast ? FAST_REPLY : undefined),
    streamChunks: options.streamChunks,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    fast,
    record: options.record ?? !fast,
    port: options.port ?? 0,
  };
}
