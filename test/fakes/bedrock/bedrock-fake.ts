/**
 * A fake Amazon Bedrock runtime endpoint speaking the Converse API:
 *   POST /model/{modelId}/converse          → JSON
 *   POST /model/{modelId}/converse-stream   → AWS binary event stream
 * Requests must be SigV4-signed with the fake's credentials (the signature is
 * recomputed and a mismatch answered 403 InvalidSignatureException), or carry
 * `apiKey` as a Bearer token. Unknown models get 404 ResourceNotFoundException.
 *
 *   const fake = await startBedrockFake();
 *   const client = new BedrockRuntimeClient({ region: fake.region, endpoint: fake.url, credentials: fake.credentials });
 *
 * Faults: the shared kinds (`setFault`, or the x-fake-fault header), with
 * Bedrock's error headers (`x-amzn-errortype`); plus an exception frame
 * mid-stream (`setStreamException`, or the x-fake-bedrock-exception header:
 * {"exception":"throttlingException","afterEvents":2}).
 *
 * Its own node:http front instead of fake-server.ts: status faults need an
 * x-amzn-errortype header chosen per status, and SigV4 needs the raw URL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { converseBody, converseStreamFrames, planConverse, validateConverse, type StreamException } from "./bedrock-converse.js";
import { bedrockError, bedrockErrors, errorTypeForStatus } from "./bedrock-errors.js";
import { EVENT_STREAM_CONTENT_TYPE } from "./bedrock-event-stream.js";
import { DEFAULT_BEDROCK_MODELS, type FakeBedrockModel } from "./bedrock-models.js";
import { verifySigV4 } from "./bedrock-sigv4.js";
import { bodyObject, readFakeRequest, type FakeRequest, type RecordedRequest } from "../_shared/fake-request.js";
import type { FakeServer } from "../_shared/fake-server.js";
import { FAULT_HEADER, FaultSource, type Fault } from "../_shared/faults.js";
import { jsonReply, withHeaders, type Reply } from "../_shared/reply.js";
import { writeReply } from "../_shared/reply-writer.js";

export const STREAM_EXCEPTION_HEADER = "x-fake-bedrock-exception";

/** The credentials the fake accepts by default (never real ones). */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: "AKIAFAKEBEDROCK00001", secretAccessKey: "fake/Secret+Key/For/Bedrock/Tests0000001" } as const;

export interface BedrockFakeOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** When set, signed requests must carry it (x-amz-security-token). */
  sessionToken?: string;
  /** A Bedrock API key accepted as `Authorization: Bearer`. */
  apiKey?: string;
  models?: Record<string, FakeBedrockModel>;
  /** Fixed assistant text instead of the echo. */
  reply?: string;
  /** Pieces a streamed text is cut into (default: one per word). */
  streamChunks?: number;
  chunkDelayMs?: number;
  record?: boolean;
  port?: number;
}

export interface BedrockFakeServer extends FakeServer {
  /** The endpoint (FakeServer.url), for `new BedrockRuntimeClient({ endpoint })` or the provider's base_url. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Ends the next streams (or `times` of them) with an exception frame; null clears it. */
  setStreamException(exception: (StreamException & { times?: number }) | null): void;
}

const ROUTE = /^\/model\/([^/?]+)\/(converse|converse-stream)(?:\?.*)?$/;

function streamExceptionFrom(header: string | string[] | undefined): StreamException | undefined | "invalid" {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === "") return undefined;
  try {
    const v = JSON.parse(raw) as Partial<StreamException>;
    if (typeof v.exception === "string" && typeof v.afterEvents === "number") return { exception: v.exception, afterEvents: v.afterEvents, ...(typeof v.message === "string" ? { message: v.message } : {}) };
  } catch {
    // reported below
  }
  return "invalid";
}

export async function startBedrockFake(options: BedrockFakeOptions = {}): Promise<BedrockFakeServer> {
  const region = options.region ?? "us-east-1";
  const credentials = {
    accessKeyId: options.accessKeyId ?? FAKE_AWS_CREDENTIALS.accessKeyId,
    secretAccessKey: options.secretAccessKey ?? FAKE_AWS_CREDENTIALS.secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
  };
  const models = options.models ?? DEFAULT_BEDROCK_MODELS;
  const record = options.record ?? true;
  const requests: RecordedRequest[] = [];
  const faults = new FaultSource();
  const sockets = new Set<Socket>();
  let streamException: (StreamException & { remaining: number }) | null = null;
  let sequence = 0;
  let toolUses = 0;

  const authenticate = (request: FakeRequest, rawUrl: string): Reply | undefined => {
    const auth = request.headers.authorization;
    if (auth === undefined || auth === "") return bedrockErrors.missingAuth();
    if (/^Bearer\s/i.test(auth)) return options.apiKey !== undefined && auth.slice(7).trim() === options.apiKey ? undefined : bedrockErrors.badApiKey();
    const verdict = verifySigV4(request, rawUrl, { ...credentials, region, service: "bedrock" });
    if (verdict.ok) return undefined;
    if (verdict.reason === "unknown_key") return bedrockErrors.unknownKey();
    if (verdict.reason === "expired") return bedrockErrors.expired(verdict.message);
    if (verdict.reason === "malformed") return bedrockError(403, "IncompleteSignatureException", verdict.message);
    return bedrockErrors.badSignature();
  };

  const takeStreamException = (request: FakeRequest): StreamException | undefined | "invalid" => {
    const fromHeader = streamExceptionFrom(request.headers[STREAM_EXCEPTION_HEADER]);
    if (fromHeader !== undefined) return fromHeader;
    if (streamException === null) return undefined;
    const { remaining, ...spec } = streamException;
    if (remaining <= 1) streamException = null;
    else streamException.remaining = remaining - 1;
    return spec;
  };

  const route = (request: FakeRequest, rawUrl: string): Reply => {
    const match = ROUTE.exec(rawUrl);
    if (request.method !== "POST" || match === null) return bedrockErrors.unknownOperation();
    const denied = authenticate(request, rawUrl);
    if (denied !== undefined) return denied;
    const modelId = decodeURIComponent(match[1] ?? "");
    const model = models[modelId];
    if (model === undefined) return bedrockErrors.modelNotFound();
    const body = bodyObject(request);
    if (body === undefined) return bedrockErrors.validation("Malformed input request, please reformat your input and try again.");
    const stream = match[2] === "converse-stream";
    const problem = validateConverse(body, model, stream);
    if (problem !== undefined) return bedrockErrors.validation(problem);
    const plan = planConverse(body, model, options.reply, () => `tooluse_FAKE${String(++toolUses).padStart(14, "0")}`);
    const latencyMs = Date.now() - request.receivedAt + 1;
    if (!stream) return jsonReply(200, converseBody(plan, latencyMs));
    const exception = takeStreamException(request);
    if (exception === "invalid") return bedrockErrors.validation(`${STREAM_EXCEPTION_HEADER} must be JSON {"exception": string, "afterEvents": number}`);
    // An event stream is a sequence of binary frames; the shared writer sends them one by one, applying faults per frame.
    return {
      type: "sse",
      status: 200,
      headers: { "content-type": EVENT_STREAM_CONTENT_TYPE },
      frames: converseStreamFrames(plan, latencyMs, options.streamChunks, exception),
    };
  };

  const faultReply = (fault: Fault): Reply | undefined => {
    if (fault.kind === "status") {
      const type = fault.headers?.["x-amzn-errortype"]?.split(":")[0] ?? errorTypeForStatus(fault.status);
      if (fault.body === undefined) return bedrockError(fault.status, type, undefined, fault.headers);
      return jsonReply(fault.status, fault.body, { "x-amzn-errortype": type, ...fault.headers });
    }
    if (fault.kind === "rate_limit") return bedrockErrors.throttled(fault.retryAfterSeconds);
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = await readFakeRequest(req);
    sequence += 1;
    if (record) requests.push(recorded(request));
    const requestId = `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, "0")}`;
    const fault = faults.take(req.headers[FAULT_HEADER]);
    let reply: Reply;
    if (fault !== null && "invalid" in fault) reply = bedrockErrors.validation(fault.invalid);
    else if (fault?.kind === "drop_connection") {
      req.socket.destroy();
      return;
    } else {
      try {
        reply = (fault === null ? undefined : faultReply(fault)) ?? route(request, req.url ?? "/");
      } catch (error) {
        // A bug in the fake must fail the test loudly, not hang it.
        reply = bedrockErrors.internal(`fake upstream failed: ${String(error)}`);
      }
    }
    const transportFault = fault !== null && !("invalid" in fault) ? fault : null;
    await writeReply(res, withHeaders(reply, { "x-amzn-requestid": requestId }), transportFault, options.chunkDelayMs ?? 0);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    endpoint: url,
    port,
    region,
    credentials,
    requests,
    setFault: (fault) => faults.set(fault),
    setStreamException: (exception) => {
      streamException = exception === null ? null : { ...exception, remaining: exception.times ?? Infinity };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function recorded(request: FakeRequest): RecordedRequest {
  const { malformedBody: _unused, ...rest } = request;
  return rest;
}
