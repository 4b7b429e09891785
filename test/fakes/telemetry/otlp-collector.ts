/**
 * A fake OpenTelemetry collector: OTLP/HTTP with JSON bodies on POST
 * /v1/traces, as @opentelemetry/exporter-trace-otlp-http sends them (ids in
 * hex, attributes as typed AnyValue objects). Spans are decoded into flat
 * records so tests can assert on parent/child links and attributes directly.
 * Protobuf bodies are refused with 415: the gateway is expected to send JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBody, waitForItems } from "./collector-kit.js";

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  /** Empty string for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, AttributeValue> }[];
  /** Attributes of the resource the span was exported under (service.name, …). */
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface ExportRequest {
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface OtlpCollector {
  /** Base URL, e.g. "http://127.0.0.1:PORT" (an exporter appends /v1/traces). */
  url: string;
  /** Full traces URL. */
  tracesUrl: string;
  spans: CollectedSpan[];
  requests: ExportRequest[];
  /** Exports answered with the failWith status. */
  readonly refused: number;
  /** Answer the next exports with this HTTP status (null: accept them). */
  failWith(status: number | null): void;
  /** Resolves once at least `count` spans have arrived. */
  waitForSpans(count: number, timeoutMs?: number): Promise<CollectedSpan[]>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue { key: string; value?: OtlpAnyValue }
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

function anyValue(v: OtlpAnyValue | undefined): AttributeValue {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return keyValues(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

function keyValues(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export function decodeTraces(body: OtlpTraces): CollectedSpan[] {
  const spans: CollectedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = keyValues(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? "",
          name: s.name,
          kind: s.kind ?? 0,
          attributes: keyValues(s.attributes),
          status: { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) },
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: keyValues(e.attributes) })),
          resource,
          scope: ss.scope?.name ?? "",
        });
      }
    }
  }
  return spans;
}


export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const requests: ExportRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  let failStatus: number | null = null;
  let refused = 0;

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") return reply(res, 404, { message: "not found" });
      const body = await readBody(req);
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
        return reply(res, 415, { message: "this fake collector decodes OTLP/JSON only" });
      }
      if (failStatus !== null) {
        refused += 1;
        for (const wake of waiters) wake();
        return reply(res, failStatus, { message: "collector told to fail" });
      }
      const parsed = JSON.parse(body.toString("utf8")) as OtlpTraces;
      requests.push({ headers: req.headers, body: parsed });
      spans.push(...decodeTraces(parsed));
      for (const wake of waiters) wake();
      reply(res, 200, {});
    })().catch((err: unknown) => reply(res, 400, { message: String(err) }));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    spans,
    requests,
    get refused() {
      return refused;
    },
    failWith(status) {
      failStatus = status;
    },
    waitForSpans(count, timeoutMs = 5_000) {
      return waitForItems(waiters, () => spans, count, timeoutMs, "spans");
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
