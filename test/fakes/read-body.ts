/** The whole body of a request to a fake collector, gunzipped when the exporter compressed it. */
import type { IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}
