/**
 * The HTTP plumbing every fake shares: listen on 127.0.0.1, read and record
 * requests, pick the request's fault, let the protocol route it, write the
 * reply, and close without leaving sockets or timers behind. Plain node:http
 * on purpose: a fake must not share a framework (or its bugs) with the
 * gateway under test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFakeRequest, type FakeRequest, type RecordedRequest } from "./fake-request.js";
import { FAULT_HEADER, FaultSource, type Fault } from "./faults.js";
import { jsonReply, withHeaders, type Reply } from "./reply.js";
import { writeReply } from "./reply-writer.js";
import type { WireDialect } from "./wire-dialect.js";

export interface FakeServer {
  /** Base URL a client is pointed at, e.g. "http://127.0.0.1:PORT/v1". */
  url: string;
  port: number;
  /** Every request received, oldest first (empty when recording is off). */
  requests: RecordedRequest[];
  /** Server-wide fault for the next requests (all of them, or `fault.times`); null clears it. */
  setFault(fault: Fault | null): void;
  /** Stops listening and destroys open sockets, stalled streams included. */
  close(): Promise<void>;
}

/** Routes a request to a reply; may also decide the connection is to be dropped. */
export type FakeRouter = (request: FakeRequest) => Reply;

export interface FakeServerSpec {
  dialect: WireDialect;
  route: FakeRouter;
  /** Appended to the origin to form FakeServer.url ("/v1", or "" for Azure). */
  basePath: string;
  port: number;
  chunkDelayMs: number;
  record: boolean;
}

export async function startFakeServer(spec: FakeServerSpec): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const faults = new FaultSource();
  let sequence = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = await readFakeRequest(req);
    sequence += 1;
    if (spec.record) requests.push(recorded(request));
    const fault = faults.take(req.headers[FAULT_HEADER]);
    if (fault !== null && "invalid" in fault) {
      await send(res, spec.dialect.badRequest(fault.invalid), null, request, sequence);
      return;
    }
    if (fault?.kind === "drop_connection") {
      req.socket.destroy();
      return;
    }
    await send(res, replyFor(request, fault), fault, request, sequence);
  };

  const replyFor = (request: FakeRequest, fault: Fault | null): Reply => {
    if (fault?.kind === "status") {
      return jsonReply(fault.status, fault.body ?? spec.dialect.statusErrorBody(fault.status), fault.headers);
    }
    if (fault?.kind === "rate_limit") return spec.dialect.rateLimited(fault.retryAfterSeconds, request);
    try {
      return spec.route(request);
    } catch (error) {
      // A bug in a fake must fail the test loudly, not hang it.
      return spec.dialect.internalError(`fake upstream failed: ${String(error)}`);
    }
  };

  const send = (res: ServerResponse, reply: Reply, fault: Fault | null, request: FakeRequest, seq: number) => {
    const headers = spec.dialect.responseHeaders(seq, Date.now() - request.receivedAt);
    return writeReply(res, withHeaders(reply, headers), fault, spec.chunkDelayMs);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Reading the request failed (client went away); nothing can be answered.
      if (!res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(spec.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${spec.basePath}`,
    port,
    requests,
    setFault: (fault) => faults.set(fault),
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
