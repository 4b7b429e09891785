/**
 * Upstream HTTP for every provider: one undici Agent per provider keeps a
 * keep-alive pool per origin; every call carries its own first-byte and idle
 * timeouts; transport failures become GatewayErrors a retry policy can read.
 * Every adapter goes through requestStream() (or requestText(), built on it),
 * so there is one transport, tuned once, for the benchmarked OpenAI path and
 * the others alike.
 */
import { Agent, errors as undiciErrors, util as undiciUtil, type Dispatcher } from "undici";
import { COMMON_ERRORS, GatewayError } from "../../core/errors.js";
import type { CallContext } from "../types.js";
import { signalLink, type ClientLink } from "../../core/client-link.js";
import { PushBody, type BodyControl } from "./push-body.js";

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

export interface UpstreamRequest {
  url: string;
  method?: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  ctx: CallContext;
  /** A 2xx answer's headers too (an error answer's always come); default: empty. */
  responseHeaders?: boolean;
}

export class UpstreamClient {
  readonly #agent: Agent;
  readonly #provider: string;

  /** The provider's configured name, for error messages. */
  get provider(): string {
    return this.#provider;
  }

  constructor(provider: string, options: { connectTimeoutMs: number; keepAliveTimeoutMs?: number }) {
    this.#provider = provider;
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      keepAliveMaxTimeout: 600_000,
    });
  }

  /** A whole response as text, for JSON (non-stream) calls: requestStream(), read to the end. */
  async requestText(req: UpstreamRequest): Promise<UpstreamText> {
    const res = await this.requestStream(req);
    const text = await res.body.text();
    return { status: res.status, headers: res.headers, text };
  }

  /**
   * A response whose body arrives as network chunks through a PushBody (see
   * there); resolves once status and headers are in. undici's dispatch()
   * with its callback handler, not request(): why, in docs/benchmarks.md
   * ("undici dispatch() instead of request()", "undici's callback handler").
   */
  requestStream(req: UpstreamRequest): Promise<UpstreamResponse> {
    const { ctx } = req;
    const link = ctx.link ?? signalLink(ctx.signal);
    if (link.aborted) return Promise.reject(link.reason);
    return new Promise<UpstreamResponse>((resolve, reject) => {
      this.#agent.dispatch({
        origin: originOf(req.url),
        path: pathOf(req.url),
        method: req.method ?? "POST",
        headers: ctx.headers ? { ...req.headers, ...ctx.headers } : req.headers,
        body: req.body ?? null,
        headersTimeout: ctx.timeouts.firstByteMs,
        bodyTimeout: ctx.timeouts.idleMs,
      }, new StreamCall(ctx, link, this.#provider, req.responseHeaders === true, resolve, reject));
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** An answer whose headers are in; its body arrives as network chunks (see PushBody). */
export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: PushBody;
}

export interface UpstreamText {
  status: number;
  headers: UpstreamHeaders;
  text: string;
}

/**
 * One requestStream() call: undici's callback handler and its body's
 * controller in one object, so a call allocates this and its PushBody
 * instead of a closure per callback.
 */
class StreamCall implements Dispatcher.DispatchHandler, BodyControl {
  readonly #body = new PushBody();
  #started = false;
  #paused = false;
  #abort: ((reason: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  readonly #off: () => void;

  constructor(
    readonly ctx: CallContext,
    readonly link: ClientLink,
    readonly provider: string,
    readonly keepHeaders: boolean,
    readonly resolve: (res: UpstreamResponse) => void,
    readonly reject: (err: Error) => void,
  ) {
    this.#body.controller = this;
    this.#off = link.onAbort(() => this.#abort?.(link.reason));
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resume?.();
  }

  abort(reason: Error): void {
    this.#abort?.(reason);
  }

  onConnect(abort: (reason: Error) => void): void {
    this.#abort = abort;
    if (this.link.aborted) abort(this.link.reason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.#started = true;
    this.#resume = resume;
    // Parsed only when someone will read them: an error answer's, or when asked. (Keeping the
    // raw list to parse later would keep the socket's read buffers it points into alive.)
    const keep = this.keepHeaders || statusCode >= 300;
    this.resolve({ status: statusCode, headers: keep && rawHeaders ? undiciUtil.parseHeaders(rawHeaders) : {}, body: this.#body });
    return !this.#paused;
  }

  onData(chunk: Buffer): boolean {
    this.#body.push(chunk);
    return !this.#paused;
  }

  onComplete(): void {
    this.#off();
    this.#body.end();
  }

  onError(err: Error): void {
    this.#off();
    const e = transportError(err, this.ctx, this.provider);
    if (this.#started) this.#body.fail(e);
    else this.reject(e);
  }
}

// The URL split is cached per base string: building a URL object per request
// shows up in profiles at high request rates.
const originCache = new Map<string, string>();
function originOf(url: string): string {
  const i = url.indexOf("/", url.indexOf("//") + 2);
  const key = i === -1 ? url : url.slice(0, i);
  let origin = originCache.get(key);
  if (origin === undefined) {
    origin = new URL(key).origin;
    originCache.set(key, origin);
  }
  return origin;
}
function pathOf(url: string): string {
  const i = url.indexOf("/", url.indexOf("//") + 2);
  return i === -1 ? "/" : url.slice(i);
}

export function abortReason(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return COMMON_ERRORS.clientClosed();
}

/** Maps a thrown transport error (undici, DNS, sockets, aborts) to a GatewayError. */
export function transportError(err: unknown, ctx: CallContext, provider: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (ctx.link ? ctx.link.aborted : ctx.signal.aborted) return ctx.link ? ctx.link.reason : abortReason(ctx.signal);
  const code = (err as { code?: string } | null)?.code ?? "";
  if (err instanceof undiciErrors.ConnectTimeoutError || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new GatewayError("upstream_timeout", `Timed out connecting to provider '${provider}' (connect timeout ${ctx.timeouts.connectMs} ms).`, { cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || code === "UND_ERR_HEADERS_TIMEOUT") {
    return new GatewayError("upstream_timeout", `Provider '${provider}' sent no response within ${ctx.timeouts.firstByteMs} ms (first-byte timeout).`, { cause: err });
  }
  if (err instanceof undiciErrors.BodyTimeoutError || code === "UND_ERR_BODY_TIMEOUT") {
    return new GatewayError("upstream_timeout", `Provider '${provider}' went silent for ${ctx.timeouts.idleMs} ms mid-response (idle timeout).`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new GatewayError("upstream_unreachable", `Could not reach provider '${provider}': ${detail}${code ? ` (${code})` : ""}.`, { cause: err });
}

/**
 * A transport failure while a response body was being read: the connection
 * was made and the answer had begun, so it is a broken stream
 * (stream_interrupted), never an unreachable server; timeouts keep saying
 * which timeout it was.
 */
export function streamFailure(err: unknown, ctx: CallContext, provider: string): GatewayError {
  const mapped = transportError(err, ctx, provider);
  if (mapped.code !== "upstream_unreachable") return mapped;
  const cause = mapped.cause ?? err;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new GatewayError("stream_interrupted", `The stream from provider '${provider}' broke off mid-response: ${detail}.`, { cause });
}

/** Reads a whole body as JSON; a mid-body failure is a transport error, a body that is not JSON an upstream error. */
export async function readJson(res: UpstreamResponse, ctx: CallContext, provider: string): Promise<unknown> {
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw transportError(err, ctx, provider);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError("upstream_error", `Provider '${provider}' returned a body that is not valid JSON (status ${res.status}).`);
  }
}

/** Parses a Retry-After header (seconds or HTTP date) into seconds. */
export function retryAfterSeconds(headers: UpstreamHeaders): number | undefined {
  const raw = headers["retry-after"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
