/**
 * A fake Sentry ingest endpoint: accepts envelopes on POST
 * /api/<project>/envelope/ (what @sentry/node sends for a DSN
 * `http://<key>@127.0.0.1:PORT/<project>`), keeps each raw body so tests can
 * search it for data that must not be there, and decodes the items.
 */
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBody, waitForItems } from "./collector-kit.js";

export interface EnvelopeItem {
  header: { type: string; length?: number; [k: string]: unknown };
  payload: unknown;
}

export interface Envelope {
  url: string;
  /** The decompressed body exactly as received. */
  raw: string;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export interface SentryIngest {
  /** A DSN pointing here (project 1). */
  dsn: string;
  envelopes: Envelope[];
  /** The `event` items received, in order. */
  events(): Record<string, unknown>[];
  /** Resolves once at least `count` events have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Envelope format: a header line, then per item a header line and a payload (of `length` bytes when given, else up to the newline). */
export function parseEnvelope(body: Buffer): Pick<Envelope, "header" | "items"> {
  let offset = 0;
  const line = (): Buffer => {
    const end = body.indexOf(0x0a, offset);
    const slice = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return slice;
  };
  const header = JSON.parse(line().toString("utf8")) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (offset < body.length) {
    const headerLine = line();
    if (headerLine.length === 0) continue;
    const itemHeader = JSON.parse(headerLine.toString("utf8")) as EnvelopeItem["header"];
    let payload: Buffer;
    if (typeof itemHeader.length === "number") {
      payload = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length + 1;
    } else {
      payload = line();
    }
    const text = payload.toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // attachments need not be JSON
    }
    items.push({ header: itemHeader, payload: parsed });
  }
  return { header, items };
}


export async function startSentryIngest(): Promise<SentryIngest> {
  const envelopes: Envelope[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const events = (): Record<string, unknown>[] =>
    envelopes.flatMap((e) => e.items.filter((i) => i.header.type === "event").map((i) => i.payload as Record<string, unknown>));

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST" || !/^\/api\/\d+\/envelope\/(\?|$)/.test(req.url ?? "")) {
        res.writeHead(404).end();
        return;
      }
      const body = await readBody(req);
      envelopes.push({ url: req.url ?? "", raw: body.toString("utf8"), ...parseEnvelope(body) });
      for (const wake of waiters) wake();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    })().catch(() => res.writeHead(400).end());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    envelopes,
    events,
    waitForEvents(count, timeoutMs = 5_000) {
      return waitForItems(waiters, events, count, timeoutMs, "Sentry events");
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
