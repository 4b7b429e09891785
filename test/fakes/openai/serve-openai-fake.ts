/**
 * Runs the OpenAI fake as its own process, for benchmarks that must not share
 * a CPU budget or event loop with the gateway:
 *
 *   node --import tsx test/fakes/openai/serve-openai-fake.ts --port 0 --fast --stream-chunks 20 --reply "hi"
 *
 * Prints exactly one line, `listening on http://127.0.0.1:PORT`, when ready
 * (the API is under /v1), and exits cleanly on SIGTERM or SIGINT.
 */
import { parseArgs } from "node:util";
import { startOpenAIFake } from "./openai-fake.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    reply: { type: "string" },
    "stream-chunks": { type: "string" },
    "chunk-delay-ms": { type: "string" },
    "api-key": { type: "string" },
    fast: { type: "boolean", default: false },
  },
  strict: true,
});

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const fake = await startOpenAIFake({
  port: intOption("port", values.port),
  reply: values.reply,
  streamChunks: intOption("stream-chunks", values["stream-chunks"]),
  chunkDelayMs: intOption("chunk-delay-ms", values["chunk-delay-ms"]),
  apiKey: values["api-key"],
  fast: values.fast,
});
process.stdout.write(`listening on http://127.0.0.1:${fake.port}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void fake.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
