/**
 * A tiny OpenAI-wire upstream for workflow tests: answers
 * `POST /v1/chat/completions` after `delayMs`, with `reply(body)` (default:
 * "echo: " + the last user message), and records each request and whether
 * its client went away before the answer (a cancelled call).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface SlowRequest { body: { model: string; messages: { role: string; content: string }[] }; at: number; aborted: boolean; answered: boolean }

export interface SlowUpstream {
  url: string;
  requests: SlowRequest[];
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startSlowUpstream(options: { delayMs: number; reply?: (body: SlowRequest["body"]) => string }): Promise<SlowUpstream> {
  const requests: SlowRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as SlowRequest["body"];
    const r: SlowRequest = { body, at: Date.now(), aborted: false, answered: false };
    requests.push(r);
    const timer = setTimeout(() => {
      const text = options.reply?.(body) ?? `echo: ${String(body.messages.at(-1)?.content ?? "")}`;
      r.answered = true;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        id: "chatcmpl-slow", object: "chat.completion", created: Math.floor(Date.now() / 1000), model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }));
    }, options.delayMs);
    res.on("close", () => {
      if (!r.answered) {
        r.aborted = true;
        clearTimeout(timer);
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
