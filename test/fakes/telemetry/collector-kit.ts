/** What the fake collectors (OTLP, Sentry) share: reading a request body and waiting for what they collected. */
import type { IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";

/** The whole body of a request, gunzipped when the exporter compressed it. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}

/**
 * Resolves with `items()` once it holds at least `count`; `waiters` are the
 * collector's checks, run by it whenever something arrives.
 */
export function waitForItems<T>(waiters: Set<() => void>, items: () => T[], count: number, timeoutMs: number, what: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (items().length < count) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(items());
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`expected ${count} ${what}, got ${items().length}`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}
